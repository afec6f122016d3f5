import { validationError } from '../docketError.js';
import { err, ok, type Result } from '../result.js';
import { parsePolicy, type PolicyInput } from './policy.js';

/** A holiday schedule as published (an iCalendar file, read by an adapter). */
export interface HolidaySchedule {
  /** Dates with no window (public holidays), `YYYY-MM-DD`, sorted. */
  readonly closedDates: readonly string[];
  /** Make-up working days: dates open although their weekday is not, sorted. */
  readonly workdays: readonly string[];
  readonly firstDate: string;
  readonly lastDate: string;
}

export interface HolidayImport {
  readonly calendar: string;
  /** The new policy's version (a policy is never changed in place: a new version is adopted). */
  readonly version: string;
  /** The calendar's new `holidaysKnownThrough`. @defaultValue 31 December of the schedule's last year */
  readonly through?: string | undefined;
}

/**
 * A new policy document in which `calendar`'s holiday data for the years the schedule covers
 * (1 January of its first year to `through`) is the schedule's: closed and extra open dates in
 * that range are replaced (so a corrected notice can be imported again), those outside it are
 * kept, and `holidaysKnownThrough` moves to `through` (never back). The result is validated as
 * a whole policy. Pure: the document given is not changed.
 */
export const importHolidays = (
  document: PolicyInput,
  schedule: HolidaySchedule,
  options: HolidayImport,
): Result<PolicyInput> => {
  const calendar = document.calendars[options.calendar];
  if (calendar === undefined)
    return err(
      validationError(
        `no calendar ${options.calendar} in policy ${document.version} (it has ${Object.keys(document.calendars).join(', ')})`,
        [{ path: 'calendar', message: 'unknown calendar' }],
      ),
    );
  if (options.version === document.version)
    return err(
      validationError(
        `the new policy needs a version of its own, not ${document.version}: cases record the version they were opened under`,
        [{ path: 'version', message: 'same as the base policy' }],
      ),
    );
  const from = `${schedule.firstDate.slice(0, 4)}-01-01`;
  const through = options.through ?? `${schedule.lastDate.slice(0, 4)}-12-31`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(through) || Number.isNaN(Date.parse(`${through}T00:00:00Z`)))
    return err(
      validationError(`--through ${through}: a date is YYYY-MM-DD`, [
        { path: 'through', message: 'not a date' },
      ]),
    );
  if (through < schedule.lastDate)
    return err(
      validationError(
        `--through ${through} is before the schedule's last date ${schedule.lastDate}`,
        [{ path: 'through', message: 'before the last date of the schedule' }],
      ),
    );
  const outside = (date: string) => date < from || date > through;
  const closedDates = [
    ...(calendar.closedDates ?? []).filter(outside),
    ...schedule.closedDates,
  ].sort();
  const extraOpenDates = [
    ...(calendar.extraOpenDates ?? []).filter((d) => outside(d.date)),
    ...schedule.workdays.map((date) => ({ date })),
  ].sort((a, b) => a.date.localeCompare(b.date));
  const known = calendar.holidaysKnownThrough;
  const next: PolicyInput = {
    ...document,
    version: options.version,
    calendars: {
      ...document.calendars,
      [options.calendar]: {
        ...calendar,
        closedDates,
        extraOpenDates,
        holidaysKnownThrough: known !== undefined && known > through ? known : through,
      },
    },
  };
  const valid = parsePolicy(next);
  return valid.ok ? ok(next) : err(valid.error);
};
