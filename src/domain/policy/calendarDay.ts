import { IANAZone } from 'luxon';
import { DAY_MS } from '../instant.js';
import {
  type CalendarDefinition,
  type CalendarWindow,
  wallTimeToMinutes,
  weekdays,
} from './calendarDefinition.js';

// Day ordinals count civil days (DAY_MS) from 1970-01-01 (ordinal 0, a Thursday).
const MINUTE_MS = 60_000;

/** Local windows as minutes after local midnight, flat and sorted: [start0, end0, start1, …]. */
type MinuteWindows = readonly number[];

/**
 * One local date of a calendar, resolved to UTC: `[start, end)` is the real extent of the date
 * in the calendar's zone (consecutive dates tile the timeline), `windows` its open windows as
 * flat, sorted, disjoint, non-empty `[start0, end0, start1, end1, …]` epoch milliseconds.
 */
export interface CalendarDay {
  readonly start: number;
  readonly end: number;
  readonly windows: readonly number[];
}

/** The weekly pattern, exceptions and "normal day" of a definition, ready to resolve any date. */
export interface DayPlan {
  readonly zone: IANAZone;
  /** Sum of the normal day's windows in wall-clock minutes × 60 000 (before businessDayHours). */
  readonly normalDayMs: number;
  windowsOn(ordinal: number): MinuteWindows;
}

const toMinuteWindows = (windows: readonly CalendarWindow[] | undefined): MinuteWindows =>
  (windows ?? [])
    .map(([s, e]) => [wallTimeToMinutes(s), wallTimeToMinutes(e)] as const)
    .sort((a, b) => a[0] - b[0])
    .flat();

const total = (w: MinuteWindows): number => {
  let sum = 0;
  for (let i = 0; i + 1 < w.length; i += 2) sum += w[i + 1]! - w[i]!;
  return sum;
};

/** Day ordinal of a `YYYY-MM-DD` date. */
export const dateOrdinal = (isoDate: string): number =>
  Math.round(Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS);

/** Monday = 0 … Sunday = 6. */
const weekdayOf = (ordinal: number): number => (((ordinal + 3) % 7) + 7) % 7;

/**
 * A normal day: the most common non-empty weekly pattern (ties: the larger total, then the
 * earlier weekday). Its total is the most common non-zero daily total (ties: the larger).
 */
const normalDay = (weekly: readonly MinuteWindows[]): { windows: MinuteWindows; ms: number } => {
  const patterns = new Map<string, { windows: MinuteWindows; count: number }>();
  const totals = new Map<number, number>();
  for (const w of weekly) {
    if (w.length === 0) continue;
    const key = w.join(',');
    const seen = patterns.get(key) ?? { windows: w, count: 0 };
    seen.count += 1;
    patterns.set(key, seen);
    totals.set(total(w), (totals.get(total(w)) ?? 0) + 1);
  }
  let best: { windows: MinuteWindows; count: number } = { windows: [], count: 0 };
  for (const p of patterns.values()) {
    const better = p.count - best.count || total(p.windows) - total(best.windows);
    if (better > 0) best = p;
  }
  let bestTotal = 0;
  let bestCount = 0;
  for (const [t, count] of totals) {
    if (count > bestCount || (count === bestCount && t > bestTotal))
      [bestTotal, bestCount] = [t, count];
  }
  return { windows: best.windows, ms: bestTotal * MINUTE_MS };
};

export const makeDayPlan = (definition: CalendarDefinition): DayPlan => {
  const zone = IANAZone.create(definition.zone);
  if (!zone.isValid) throw new Error(`not an IANA time zone: ${definition.zone}`);
  const weekly = weekdays.map((d) => toMinuteWindows(definition.week[d]));
  const normal = normalDay(weekly);
  const closed = new Set(definition.closedDates.map(dateOrdinal));
  const extra = new Map<number, MinuteWindows>();
  for (const e of definition.extraOpenDates) {
    const own = toMinuteWindows(e.windows);
    const weekday = weekly[weekdayOf(dateOrdinal(e.date))] ?? [];
    // Own windows if listed; else the weekday's; a make-up day on a closed weekday (a Chinese
    // working Saturday) has none to borrow, so it gets a normal day's windows.
    extra.set(
      dateOrdinal(e.date),
      own.length > 0 ? own : weekday.length > 0 ? weekday : normal.windows,
    );
  }
  return {
    zone,
    normalDayMs: normal.ms,
    windowsOn: (ordinal) =>
      closed.has(ordinal) ? [] : (extra.get(ordinal) ?? weekly[weekdayOf(ordinal)] ?? []),
  };
};

const offsetMs = (zone: IANAZone, ts: number): number => Math.round(zone.offset(ts) * MINUTE_MS);

/**
 * The instant of a local wall-clock time (given as "local epoch ms": the wall time read as if it
 * were UTC). Deterministic, unlike luxon's `fromObject` (which guesses from the current offset):
 * an ambiguous time (fall back) is its first occurrence; a skipped time (spring forward) is
 * shifted forward by the gap, so 02:30 on a 02:00→03:00 day is 03:30.
 */
export const localToUtc = (zone: IANAZone, local: number): number => {
  const before = offsetMs(zone, local - DAY_MS);
  const after = offsetMs(zone, local + DAY_MS);
  const candidates = before === after ? [before] : [before, offsetMs(zone, local), after];
  let best = Number.POSITIVE_INFINITY;
  for (const o of candidates) {
    const utc = local - o;
    if (utc < best && offsetMs(zone, utc) === o) best = utc;
  }
  return best === Number.POSITIVE_INFINITY ? local - before : best;
};

/** Resolve one local date: its real extent and its windows, clipped, ordered and merged. */
export const resolveDay = (plan: DayPlan, ordinal: number): CalendarDay => {
  const local = ordinal * DAY_MS;
  const start = localToUtc(plan.zone, local);
  const end = localToUtc(plan.zone, local + DAY_MS);
  const minutes = plan.windowsOn(ordinal);
  const windows: number[] = [];
  const at = (m: number) =>
    m <= 0 ? start : m >= 1440 ? end : localToUtc(plan.zone, local + m * MINUTE_MS);
  for (let i = 0; i + 1 < minutes.length; i += 2) {
    const last = windows.length > 0 ? windows[windows.length - 1]! : start;
    const s = Math.max(at(minutes[i]!), last);
    const e = Math.min(at(minutes[i + 1]!), end);
    if (e <= s) continue; // a window swallowed by a DST gap
    if (windows.length > 0 && s === last) windows[windows.length - 1] = e;
    else windows.push(s, e);
  }
  return { start, end, windows };
};
