import type { BusinessCalendar } from './businessCalendar.js';

/** An open stretch of a calendar, `[start, end)` in epoch ms. */
export interface OpenWindow {
  readonly start: number;
  readonly end: number;
}

/** Days looked ahead for windows before giving up (a calendar closed for a year). */
const LOOKAHEAD_DAYS = 366;

/**
 * The calendar's open windows from `fromMs` on (the current one clipped to start there), until
 * `untilMs` or `max` windows, whichever comes first. Windows that touch (24:00 then 00:00, a
 * 24×7 calendar) are merged: a countdown runs across them without a stop.
 */
export const nextWindows = (
  calendar: BusinessCalendar,
  fromMs: number,
  untilMs: number,
  max: number,
): OpenWindow[] => {
  const found: { start: number; end: number }[] = [];
  const first = calendar.ordinalAt(fromMs);
  for (let ordinal = first; ordinal <= first + LOOKAHEAD_DAYS; ordinal++) {
    const w = calendar.day(ordinal).windows;
    for (let i = 0; i < w.length; i += 2) {
      const start = Math.max(w[i]!, fromMs);
      const end = w[i + 1]!;
      if (end <= start) continue;
      if (start >= untilMs) return found;
      const last = found[found.length - 1];
      if (last !== undefined && last.end === start) last.end = end;
      else if (found.length === max) return found;
      else found.push({ start, end });
    }
  }
  return found;
};
