/** When a failed delivery is tried again, and when it is given up (dead-lettered). */
export interface WebhookRetryPolicy {
  /** Attempts in all, the first included; after the last failed one the delivery is dead. @defaultValue 8 */
  readonly attempts: number;
  /** The wait after the first failed attempt, before jitter. @defaultValue 5000 */
  readonly firstDelayMs: number;
  /** Each wait is this many times the one before. @defaultValue 4 */
  readonly factor: number;
  /** No wait is longer. @defaultValue 36000000 (10 hours) */
  readonly maxDelayMs: number;
}

/**
 * 5 s, 20 s, 80 s, 5.3 min, 21 min, 85 min, 5.7 h: about 8 hours from the first attempt to the
 * eighth (the last), each wait jittered.
 */
export const defaultWebhookRetryPolicy: WebhookRetryPolicy = {
  attempts: 8,
  firstDelayMs: 5_000,
  factor: 4,
  maxDelayMs: 36_000_000,
};

/**
 * The wait after failed attempt number `tries` (1 for the first), or undefined when it was the
 * last: exponential, capped, and jittered to between half and all of it ("equal jitter"), so
 * deliveries that failed together do not come back together. `random` is in [0, 1).
 */
export const retryDelay = (
  policy: WebhookRetryPolicy,
  tries: number,
  random: () => number,
): number | undefined => {
  if (tries >= policy.attempts) return undefined;
  const full = Math.min(policy.maxDelayMs, policy.firstDelayMs * policy.factor ** (tries - 1));
  return Math.round(full / 2 + random() * (full / 2));
};
