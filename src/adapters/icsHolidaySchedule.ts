import ICAL from 'ical.js';
import { validationError, type FieldIssue } from '../domain/docketError.js';
import type { HolidaySchedule } from '../domain/policy/holidayImport.js';
import { err, ok, type Result } from '../domain/result.js';

/** An event is a make-up working day when its categories or summary say so. */
const WORKDAY_CATEGORY = /^(work ?day|working ?day|make-?up)$/i;
const WORKDAY_SUMMARY = /补班|调休上班|上班|make-?up (working )?day|working day/i;

/**
 * Reads a holiday schedule published as iCalendar (RFC 5545), as governments and calendar
 * services publish them: each all-day `VEVENT` covers the dates from its `DTSTART` to the day
 * before its `DTEND` (one day without `DTEND`). An event whose `CATEGORIES` holds `WORKDAY`
 * (or `WORKING DAY`, `MAKE-UP`) or whose `SUMMARY` says it is a make-up working day (补班,
 * 调休上班, "make-up working day", "working day") opens its dates; every other event closes them.
 * Timed and recurring events are refused: a holiday schedule lists its dates.
 */
export const parseHolidaySchedule = (text: string, source: string): Result<HolidaySchedule> => {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (error) {
    return err(
      validationError(`${source}: not an iCalendar file (${(error as Error).message})`, [
        { path: source, message: 'not iCalendar' },
      ]),
    );
  }
  if (root.name !== 'vcalendar')
    return err(validationError(`${source}: not an iCalendar file (no VCALENDAR)`));
  const closed = new Set<string>();
  const open = new Set<string>();
  const issues: FieldIssue[] = [];
  root.getAllSubcomponents('vevent').forEach((component, index) => {
    const event = new ICAL.Event(component);
    const where = `VEVENT ${index + 1} (${event.summary || event.uid || 'no summary'})`;
    if (event.isRecurring()) {
      issues.push({ path: where, message: 'recurring events are not supported: list each date' });
      return;
    }
    const start = event.startDate;
    if (start === null || !start.isDate) {
      issues.push({ path: where, message: 'not an all-day event (DTSTART;VALUE=DATE)' });
      return;
    }
    const end = event.endDate;
    const last = end !== null && end.isDate && end.compare(start) > 0 ? end : null;
    const categories = component
      .getAllProperties('categories')
      .flatMap((p) => p.getValues().map(String));
    const workday =
      categories.some((c) => WORKDAY_CATEGORY.test(c.trim())) ||
      WORKDAY_SUMMARY.test(event.summary ?? '');
    const day = start.clone();
    do {
      (workday ? open : closed).add(day.toString());
      day.adjust(1, 0, 0, 0);
    } while (last !== null && day.compare(last) < 0);
  });
  if (issues.length > 0)
    return err(validationError(`${source}: ${issues.length} event(s) cannot be read`, issues));
  const both = [...open].filter((d) => closed.has(d));
  if (both.length > 0)
    return err(validationError(`${source}: dates both closed and open: ${both.sort().join(', ')}`));
  const all = [...closed, ...open].sort();
  if (all.length === 0) return err(validationError(`${source}: no all-day event`));
  return ok({
    closedDates: [...closed].sort(),
    workdays: [...open].sort(),
    firstDate: all[0]!,
    lastDate: all.at(-1)!,
  });
};
