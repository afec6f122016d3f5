import { DateTime } from 'luxon';
import { z } from 'zod';
import { addBusinessTime, type BusinessCalendar } from './businessCalendar.js';
import type { BusinessDuration } from './businessDuration.js';
import { dateOrdinal } from './calendarDay.js';
import { formatInstant } from '../instant.js';
import type { Policy } from './policy.js';
import { policyCalendar } from './policyCalendars.js';

/**
 * A deadline computed past the last date its calendar's holiday data covers: it rests on the
 * weekly windows alone and may fall on a holiday nobody had published yet. Case events record
 * it beside the deadline it concerns.
 */
export const deadlineWarningSchema = z.strictObject({
  code: z.literal('calendar-horizon'),
  deadline: z.enum(['response-deadline', 'customer-nonresponse']),
  calendar: z.string(),
  knownThrough: z.string(),
  dueAt: z.iso.datetime(),
});
export type DeadlineWarning = z.infer<typeof deadlineWarningSchema>;

/** A due instant computed past the last date its calendar's holiday data covers. */
export interface CalendarHorizonWarning {
  readonly code: 'calendar-horizon';
  readonly calendar: string;
  /** The calendar's `holidaysKnownThrough`. */
  readonly knownThrough: string;
  /** The due instant (UTC). */
  readonly dueAt: string;
  readonly message: string;
}

/** What a horizon warning says; `due` is the due instant as the reader should see it. */
export const horizonMessage = (calendar: string, knownThrough: string, due: string): string =>
  `calendar ${calendar} has holiday data through ${knownThrough} only: the deadline ${due} ` +
  'lies past that date, was computed from the weekly hours alone and may fall on a holiday';

/**
 * Whether a deadline computed over `[fromMs, dueMs]` crossed the calendar's horizon: whether
 * any of that span lies on a local date (in the calendar's zone) after `holidaysKnownThrough`.
 * The span is the time the clock counted, which ends just before `dueMs`: a deadline at the
 * very end of the last known date (24:00) did not need the next date. Pure.
 */
export const calendarHorizonWarning = (
  calendarId: string,
  calendar: BusinessCalendar,
  fromMs: number,
  dueMs: number,
): CalendarHorizonWarning | undefined => {
  const knownThrough = calendar.definition.holidaysKnownThrough;
  if (knownThrough === undefined) return undefined;
  const last = dueMs > fromMs ? dueMs - 1 : fromMs;
  if (calendar.ordinalAt(last) <= dateOrdinal(knownThrough)) return undefined;
  const local = DateTime.fromMillis(dueMs, { zone: calendar.definition.zone }).toISO({
    suppressMilliseconds: true,
  });
  return {
    code: 'calendar-horizon',
    calendar: calendarId,
    knownThrough,
    dueAt: formatInstant(dueMs),
    message: horizonMessage(calendarId, knownThrough, local ?? formatInstant(dueMs)),
  };
};

/** A deadline a case event records, with the horizon warning it records beside it if any. */
export interface CaseDeadline {
  readonly dueAt: number;
  readonly warnings: DeadlineWarning[] | undefined;
}

/** `duration` of business time from `fromMs` on a policy's calendar, checked against its horizon. */
export const caseDeadline = (
  policy: Policy,
  calendarId: string,
  deadline: DeadlineWarning['deadline'],
  span: { readonly fromMs: number; readonly duration: BusinessDuration },
): CaseDeadline => {
  const calendar = policyCalendar(policy, calendarId);
  const dueAt = addBusinessTime(calendar, span.fromMs, span.duration);
  const warning = calendarHorizonWarning(calendarId, calendar, span.fromMs, dueAt);
  if (warning === undefined) return { dueAt, warnings: undefined };
  const { code, calendar: id, knownThrough } = warning;
  return {
    dueAt,
    warnings: [{ code, deadline, calendar: id, knownThrough, dueAt: warning.dueAt }],
  };
};
