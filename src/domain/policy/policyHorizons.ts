import { DAY_MS } from '../instant.js';
import { dateOrdinal } from './calendarDay.js';
import type { Policy } from './policy.js';
import { policyCalendar } from './policyCalendars.js';

/** How far ahead `docket policy check` looks for a holiday horizon. */
export const HORIZON_NOTICE_DAYS = 90;

/** A calendar whose holiday data has run out, is about to, or has no stated end. */
export interface PolicyHorizonWarning {
  readonly code: 'calendar-horizon-passed' | 'calendar-horizon-near' | 'calendar-horizon-missing';
  readonly calendar: string;
  readonly knownThrough?: string;
  readonly message: string;
}

const nextSchedule = 'import the next holiday schedule as a new policy version';

/**
 * The policy's calendars whose `holidaysKnownThrough` has passed at `nowMs` or ends within
 * `noticeDays` (the end of that local date in the calendar's zone), and those that list holiday
 * data without stating how far it goes. Pure: `nowMs` comes from the caller's clock.
 */
export const policyHorizonWarnings = (
  policy: Policy,
  nowMs: number,
  noticeDays = HORIZON_NOTICE_DAYS,
): PolicyHorizonWarning[] => {
  const warnings: PolicyHorizonWarning[] = [];
  for (const [calendar, definition] of Object.entries(policy.calendars)) {
    const knownThrough = definition.holidaysKnownThrough;
    if (knownThrough === undefined) {
      if (definition.closedDates.length + definition.extraOpenDates.length > 0) {
        warnings.push({
          code: 'calendar-horizon-missing',
          calendar,
          message: `calendar ${calendar} lists holidays but not holidaysKnownThrough: deadlines past its data cannot be flagged`,
        });
      }
      continue;
    }
    const end = policyCalendar(policy, calendar).day(dateOrdinal(knownThrough)).end;
    const left = end - nowMs;
    if (left <= 0) {
      warnings.push({
        code: 'calendar-horizon-passed',
        calendar,
        knownThrough,
        message: `calendar ${calendar} has holiday data through ${knownThrough} only, which has passed: deadlines use its weekly hours alone; ${nextSchedule}`,
      });
    } else if (left < noticeDays * DAY_MS) {
      const days = Math.ceil(left / DAY_MS);
      warnings.push({
        code: 'calendar-horizon-near',
        calendar,
        knownThrough,
        message: `calendar ${calendar} has holiday data through ${knownThrough} only (${days} day${days === 1 ? '' : 's'} left): ${nextSchedule}`,
      });
    }
  }
  return warnings;
};

/** A calendar's holiday data and the instant it runs out. */
export interface HolidayDataEnd {
  readonly calendar: string;
  readonly knownThrough: string;
  /** Epoch ms: the end of the `knownThrough` date in the calendar's zone. */
  readonly endsAt: number;
}

/** Where the holiday data of each calendar that states `holidaysKnownThrough` ends. */
export const holidayDataEnds = (policy: Policy): HolidayDataEnd[] =>
  Object.entries(policy.calendars).flatMap(([calendar, definition]) => {
    const knownThrough = definition.holidaysKnownThrough;
    if (knownThrough === undefined) return [];
    const endsAt = policyCalendar(policy, calendar).day(dateOrdinal(knownThrough)).end;
    return [{ calendar, knownThrough, endsAt }];
  });
