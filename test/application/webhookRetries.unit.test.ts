import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultWebhookRetryPolicy, retryDelay } from '../../src/application/webhookRetries.js';

describe('webhook retries', () => {
  it('waits 5 s, 20 s, 80 s … (no jitter drawn: the full wait), then gives up after the 8th', () => {
    const full = (tries: number) => retryDelay(defaultWebhookRetryPolicy, tries, () => 0.999_999_9);
    expect([1, 2, 3, 4, 5, 6, 7].map((t) => Math.round((full(t) ?? 0) / 1000))).toEqual([
      5, 20, 80, 320, 1280, 5120, 20480,
    ]);
    expect(full(8)).toBeUndefined();
  });

  it('jitters each wait to between half and all of it, and never beyond the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (tries, random) => {
          const policy = { ...defaultWebhookRetryPolicy, maxDelayMs: 600_000 };
          const full = Math.min(600_000, 5_000 * 4 ** (tries - 1));
          const delay = retryDelay(policy, tries, () => random)!;
          expect(delay).toBeGreaterThanOrEqual(Math.floor(full / 2));
          expect(delay).toBeLessThanOrEqual(full);
        },
      ),
    );
  });
});
