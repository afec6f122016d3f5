/** A deadline as `GET /cases/:id` gives it in `runningDeadlines`. */
export interface RunningDeadline {
  readonly kind: string;
  readonly dueAt: string;
  readonly leftMs: number;
  readonly businessLeftMs: number;
  readonly calendar: string;
  readonly windows: readonly { readonly start: string; readonly end: string }[];
}

export interface CountdownState {
  /** Business milliseconds left at the instant asked. */
  readonly leftMs: number;
  /** True when the instant is inside one of the calendar's windows (the clock runs). */
  readonly running: boolean;
}

/**
 * The business time left on a deadline `elapsedMs` after the instant `at` it was read at: only
 * time inside the calendar's windows counts, so the countdown stops between them.
 */
export const countdownAt = (
  deadline: RunningDeadline,
  at: string,
  elapsedMs: number,
): CountdownState => {
  const from = Date.parse(at);
  const now = from + elapsedMs;
  let used = 0;
  let running = false;
  for (const w of deadline.windows) {
    const start = Math.max(Date.parse(w.start), from);
    const end = Date.parse(w.end);
    if (now >= start && now < end) running = true;
    used += Math.max(0, Math.min(end, now) - start);
  }
  const leftMs = Math.max(0, deadline.businessLeftMs - used);
  return { leftMs, running: running && leftMs > 0 };
};

/** `1d 02:03:04`-style text for a duration. */
export const formatDuration = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86_400);
  const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return days > 0 ? `${days}d ${hms}` : hms;
};
