import { type BusinessDuration, durationToMillis } from './businessDuration.js';
import { DAY_MS } from '../instant.js';
import { type CalendarDay, makeDayPlan, resolveDay } from './calendarDay.js';
import type { CalendarDefinition } from './calendarDefinition.js';

export type { CalendarDay } from './calendarDay.js';

/** Resolved local dates kept per compiled calendar (FIFO beyond this: ~11 years of dates). */
const MEMO_DAYS = 4096;
/** Consecutive dates without a window after which a calendar is deemed never to open again. */
const MAX_CLOSED_DAYS = 3660;

/**
 * A calendar definition compiled for fast business-time arithmetic (how business time counts:
 * docs/policy.md, _Business time_). Windows are
 * half-open `[start, end)` instants; each local date is resolved once and memoised, so repeated
 * computations are arithmetic over a handful of intervals.
 */
export interface BusinessCalendar {
  readonly definition: CalendarDefinition;
  /** One business day in ms: `businessDayHours`, else a normal day's windows (24×7: 24 h). */
  readonly nominalDayMs: number;
  /** Day ordinal (days since 1970-01-01) of the local date containing `ms`. */
  ordinalAt(ms: number): number;
  /** The local date `ordinal` resolved to UTC (memoised). */
  day(ordinal: number): CalendarDay;
}

export const compileCalendar = (definition: CalendarDefinition): BusinessCalendar => {
  const plan = makeDayPlan(definition);
  const memo = new Map<number, CalendarDay>();
  const day = (ordinal: number): CalendarDay => {
    let found = memo.get(ordinal);
    if (found === undefined) {
      found = resolveDay(plan, ordinal);
      if (memo.size >= MEMO_DAYS) memo.delete(memo.keys().next().value!);
      memo.set(ordinal, found);
    }
    return found;
  };
  // The zone's offset at the last date located: a guess that is almost always right.
  let hint = 0;
  const ordinalAt = (ms: number): number => {
    let ordinal = Math.floor((ms + hint) / DAY_MS);
    let d = day(ordinal);
    while (ms < d.start) d = day(--ordinal);
    while (ms >= d.end) d = day(++ordinal);
    hint = ordinal * DAY_MS - d.start;
    return ordinal;
  };
  const nominalDayMs =
    definition.businessDayHours !== undefined
      ? Math.round(definition.businessDayHours * 3_600_000)
      : plan.normalDayMs;
  return { definition, nominalDayMs, ordinalAt, day };
};

const checkInstant = (ms: number, what: string): void => {
  if (!Number.isFinite(ms)) throw new RangeError(`${what} is not a finite instant: ${ms}`);
};

const neverOpens = (calendar: BusinessCalendar, fromMs: number): Error =>
  new Error(
    `calendar in ${calendar.definition.zone} has no open window in the ${MAX_CLOSED_DAYS} days ` +
      `after ${new Date(fromMs).toISOString()}`,
  );

/**
 * The instant at which `duration` of business time has elapsed, the clock starting at `startMs`
 * if it is inside a window, else at the next window start. A budget that runs out exactly at a
 * window's end gives that end; a zero budget gives the clock-start instant.
 */
export const addBusinessTime = (
  calendar: BusinessCalendar,
  startMs: number,
  duration: BusinessDuration | number,
): number => {
  checkInstant(startMs, 'start');
  let remaining =
    typeof duration === 'number' ? duration : durationToMillis(duration, calendar.nominalDayMs);
  if (!Number.isFinite(remaining) || remaining < 0) {
    throw new RangeError(`business time must be finite and non-negative: ${remaining}`);
  }
  let ordinal = calendar.ordinalAt(startMs);
  let cursor = startMs;
  let closedRun = 0;
  for (;;) {
    const w = calendar.day(ordinal).windows;
    for (let i = 0; i < w.length; i += 2) {
      const end = w[i + 1]!;
      if (end <= cursor) continue;
      const from = cursor > w[i]! ? cursor : w[i]!;
      if (remaining <= end - from) return from + remaining;
      remaining -= end - from;
      cursor = end;
    }
    closedRun = w.length === 0 ? closedRun + 1 : 0;
    if (closedRun > MAX_CLOSED_DAYS) throw neverOpens(calendar, startMs);
    ordinal += 1;
  }
};

/** The clock-start instant for `ms`: `ms` if the calendar is open then, else the next window start. */
export const nextOpening = (calendar: BusinessCalendar, ms: number): number =>
  addBusinessTime(calendar, ms, 0);

/** Whether `ms` lies inside a window (windows are half-open: a window's end is closed). */
export const isOpenAt = (calendar: BusinessCalendar, ms: number): boolean => {
  checkInstant(ms, 'instant');
  const w = calendar.day(calendar.ordinalAt(ms)).windows;
  for (let i = 0; i < w.length; i += 2) if (ms < w[i + 1]!) return ms >= w[i]!;
  return false;
};

/** Business milliseconds inside windows between `aMs` and `bMs` (0 if `bMs <= aMs`). */
export const businessTimeBetween = (
  calendar: BusinessCalendar,
  aMs: number,
  bMs: number,
): number => {
  checkInstant(aMs, 'from');
  checkInstant(bMs, 'to');
  if (bMs <= aMs) return 0;
  let sum = 0;
  for (let ordinal = calendar.ordinalAt(aMs); ; ordinal++) {
    const d = calendar.day(ordinal);
    const w = d.windows;
    for (let i = 0; i < w.length; i += 2) {
      const from = Math.max(w[i]!, aMs);
      const to = Math.min(w[i + 1]!, bMs);
      if (to > from) sum += to - from;
    }
    if (d.end >= bMs) return sum;
  }
};
