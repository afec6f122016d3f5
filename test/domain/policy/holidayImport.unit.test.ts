import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHolidaySchedule } from '../../../src/adapters/icsHolidaySchedule.js';
import { defaultPolicyDocument } from '../../../src/domain/policy/defaultPolicy.js';
import { importHolidays, type HolidaySchedule } from '../../../src/domain/policy/holidayImport.js';
import type { PolicyInput } from '../../../src/domain/policy/policy.js';

const fixture = new URL('../../fixtures/holidays/cn-2026.ics', import.meta.url);
const CN = 'cn-business-hours';
const cn = (document: PolicyInput) => document.calendars[CN]!;

/** The built-in policy as it would have been before the 2026 notice: 2025 data only. */
const before2026: PolicyInput = {
  ...defaultPolicyDocument,
  version: 'seed-2025',
  calendars: {
    ...defaultPolicyDocument.calendars,
    [CN]: {
      ...cn(defaultPolicyDocument),
      closedDates: cn(defaultPolicyDocument).closedDates!.filter((d) => d < '2026'),
      extraOpenDates: cn(defaultPolicyDocument).extraOpenDates!.filter((d) => d.date < '2026'),
      holidaysKnownThrough: '2025-12-31',
    },
  },
};

const schedule2026 = (): HolidaySchedule => {
  const parsed = parseHolidaySchedule(readFileSync(fixture, 'utf8'), 'cn-2026.ics');
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
};

describe('importing a holiday schedule (iCalendar) into a new policy version', () => {
  it('reads all-day ranges as closed dates and make-up working days as open ones', () => {
    const schedule = schedule2026();
    expect(schedule.closedDates).toEqual(
      cn(defaultPolicyDocument).closedDates!.filter((d) => d >= '2026'),
    );
    expect(schedule.workdays).toEqual(
      cn(defaultPolicyDocument)
        .extraOpenDates!.filter((d) => d.date >= '2026')
        .map((d) => d.date),
    );
    expect([schedule.firstDate, schedule.lastDate]).toEqual(['2026-01-01', '2026-10-10']);
  });

  it('given the 2025 policy, when the 2026 notice is imported, then the calendar equals the built-in one', () => {
    const next = importHolidays(before2026, schedule2026(), {
      calendar: CN,
      version: 'seed-2026.x',
    });
    expect(next.ok).toBe(true);
    if (!next.ok) return;
    expect(next.value.version).toBe('seed-2026.x');
    expect(cn(next.value).closedDates).toEqual(cn(defaultPolicyDocument).closedDates);
    expect(cn(next.value).extraOpenDates).toEqual(cn(defaultPolicyDocument).extraOpenDates);
    expect(cn(next.value).holidaysKnownThrough).toBe('2026-12-31');
    // Nothing else changes, and the base document is left as it was.
    expect({ ...next.value, version: 'x', calendars: {} }).toEqual({
      ...before2026,
      version: 'x',
      calendars: {},
    });
    expect(cn(before2026).holidaysKnownThrough).toBe('2025-12-31');
  });

  it('importing a corrected notice replaces the range it covers, keeps the rest, and never moves the horizon back', () => {
    const corrected: HolidaySchedule = {
      closedDates: ['2026-05-01'],
      workdays: [],
      firstDate: '2026-05-01',
      lastDate: '2026-05-01',
    };
    const next = importHolidays(defaultPolicyDocument, corrected, {
      calendar: CN,
      version: 'v2',
      through: '2026-06-30',
    });
    if (!next.ok) throw next.error;
    // 1 January to --through is the schedule's; before and after, as it was.
    const inRange = (d: string) => d >= '2026-01-01' && d <= '2026-06-30';
    expect(cn(next.value).closedDates!.filter(inRange)).toEqual(['2026-05-01']);
    expect(cn(next.value).closedDates!.filter((d) => !inRange(d))).toEqual(
      cn(defaultPolicyDocument).closedDates!.filter((d) => !inRange(d)),
    );
    expect(cn(next.value).extraOpenDates!.map((d) => d.date)).toEqual(
      cn(defaultPolicyDocument)
        .extraOpenDates!.map((d) => d.date)
        .filter((d) => !inRange(d)),
    );
    expect(cn(next.value).holidaysKnownThrough).toBe('2026-12-31');
  });

  it('refuses an unknown calendar, the base version, and a horizon before the last date', () => {
    const schedule = schedule2026();
    const refused = [
      importHolidays(before2026, schedule, { calendar: 'nowhere', version: 'v2' }),
      importHolidays(before2026, schedule, { calendar: CN, version: 'seed-2025' }),
      importHolidays(before2026, schedule, { calendar: CN, version: 'v2', through: '2026-06-30' }),
      importHolidays(before2026, schedule, { calendar: CN, version: 'v2', through: 'soon' }),
    ];
    expect(refused.map((r) => (r.ok ? 'ok' : r.error.issues.map((i) => i.path)))).toEqual([
      ['calendar'],
      ['version'],
      ['through'],
      ['through'],
    ]);
  });

  it('refuses a file that is not iCalendar, timed and recurring events, and a date both closed and open', () => {
    const ics = (events: string) =>
      `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n${events}END:VCALENDAR\r\n`;
    const event = (lines: string) => `BEGIN:VEVENT\r\nUID:x\r\n${lines}END:VEVENT\r\n`;
    const cases = {
      'not iCalendar': '{"version": "x"}',
      empty: ics(''),
      timed: ics(event('DTSTART:20270101T090000Z\r\nSUMMARY:meeting\r\n')),
      recurring: ics(event('DTSTART;VALUE=DATE:20270101\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:NY\r\n')),
      both: ics(
        event('DTSTART;VALUE=DATE:20270102\r\nSUMMARY:holiday\r\n') +
          event('DTSTART;VALUE=DATE:20270102\r\nSUMMARY:补班\r\n'),
      ),
    };
    const messages = Object.entries(cases).map(([name, text]) => {
      const parsed = parseHolidaySchedule(text, name);
      return parsed.ok ? 'ok' : parsed.error.message;
    });
    expect(messages).toEqual([
      expect.stringMatching(/^not iCalendar: not an iCalendar file/),
      'empty: no all-day event',
      'timed: 1 event(s) cannot be read',
      'recurring: 1 event(s) cannot be read',
      'both: dates both closed and open: 2027-01-02',
    ]);
  });
});
