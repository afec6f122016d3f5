import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBusinessTime, compileCalendar } from '../../../src/domain/policy/businessCalendar.js';
import {
  calendarHorizonWarning,
  caseDeadline,
} from '../../../src/domain/policy/calendarHorizon.js';
import { calendarDefinitionSchema } from '../../../src/domain/policy/calendarDefinition.js';
import { defaultPolicy } from '../../../src/domain/policy/defaultPolicy.js';
import { policyCalendar } from '../../../src/domain/policy/policyCalendars.js';

const at = (iso: string) => Date.parse(iso);
const billing = policyCalendar(defaultPolicy, 'cn-business-hours');
/** The end of 2026-12-31 in Beijing: the last instant the China holiday data covers. */
const horizonEnd = at('2027-01-01T00:00:00+08:00');

describe('calendar horizon (holidaysKnownThrough)', () => {
  it('billing B opened 2026-12-31 17:00 Beijing is due 2027-01-01 17:00, flagged', () => {
    const opened = at('2026-12-31T17:00:00+08:00');
    const due = addBusinessTime(billing, opened, { businessDays: 1 });
    expect(due).toBe(at('2027-01-01T17:00:00+08:00'));
    expect(calendarHorizonWarning('cn-business-hours', billing, opened, due)).toEqual({
      code: 'calendar-horizon',
      calendar: 'cn-business-hours',
      knownThrough: '2026-12-31',
      dueAt: '2027-01-01T09:00:00.000Z',
      message: expect.stringMatching(
        /cn-business-hours.*2026-12-31.*2027-01-01T17:00:00\+08:00.*may fall on a holiday/,
      ) as unknown,
    });
  });

  it('a deadline well inside 2026 is not flagged', () => {
    const opened = at('2026-11-23T10:00:00+08:00');
    const due = addBusinessTime(billing, opened, { businessDays: 3 });
    expect(calendarHorizonWarning('cn-business-hours', billing, opened, due)).toBeUndefined();
    // Nor one that ends with the last window of the last known date.
    const lastHour = at('2026-12-31T17:00:00+08:00');
    expect(
      calendarHorizonWarning(
        'cn-business-hours',
        billing,
        lastHour,
        at('2026-12-31T18:00:00+08:00'),
      ),
    ).toBeUndefined();
  });

  it('a calendar without a horizon is never flagged', () => {
    const daily = policyCalendar(defaultPolicy, 'cn-daily');
    expect(
      calendarHorizonWarning(
        'cn-daily',
        daily,
        at('2026-12-31T17:00:00+08:00'),
        at('2099-01-01T00:00:00Z'),
      ),
    ).toBeUndefined();
  });

  it('the span ends just before the due instant: due at 24:00 of the last known date is not past it', () => {
    const late = compileCalendar(
      calendarDefinitionSchema.parse({
        zone: 'Asia/Shanghai',
        week: { mon: [['09:00', '24:00']], thu: [['09:00', '24:00']] },
        closedDates: ['2026-12-30'],
        holidaysKnownThrough: '2026-12-31',
      }),
    );
    const thursday = at('2026-12-31T09:00:00+08:00');
    const due = addBusinessTime(late, thursday, { hours: 15 });
    expect(due).toBe(horizonEnd);
    expect(calendarHorizonWarning('late', late, thursday, due)).toBeUndefined();
    expect(calendarHorizonWarning('late', late, thursday, due + 1)).toMatchObject({
      knownThrough: '2026-12-31',
    });
    // A span that starts after the horizon is past it too.
    expect(calendarHorizonWarning('late', late, horizonEnd, horizonEnd)).toBeDefined();
  });

  it('is judged in the calendar zone, not UTC: 2027-01-01 07:00 Beijing is still 2026 in UTC', () => {
    const warning = calendarHorizonWarning(
      'cn-business-hours',
      billing,
      at('2026-12-31T17:00:00+08:00'),
      at('2027-01-01T07:00:00+08:00'),
    );
    expect(warning?.dueAt).toBe('2026-12-31T23:00:00.000Z');
  });

  it('flags exactly the deadlines that end after the last known date (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2026-10-01T00:00:00Z'), max: at('2027-03-01T00:00:00Z') }),
        fc.integer({ min: 1, max: 40 * 3_600_000 }),
        (from, budget) => {
          const due = addBusinessTime(billing, from, budget);
          const warning = calendarHorizonWarning('cn-business-hours', billing, from, due);
          expect(warning !== undefined).toBe(due > horizonEnd);
        },
      ),
    );
  });

  it('caseDeadline gives the due instant and the warning a case event records', () => {
    const fromMs = at('2026-12-31T17:00:00+08:00');
    expect(
      caseDeadline(defaultPolicy, 'cn-business-hours', 'customer-nonresponse', {
        fromMs,
        duration: { businessDays: 2 },
      }),
    ).toEqual({
      dueAt: at('2027-01-04T17:00:00+08:00'),
      warnings: [
        {
          code: 'calendar-horizon',
          deadline: 'customer-nonresponse',
          calendar: 'cn-business-hours',
          knownThrough: '2026-12-31',
          dueAt: '2027-01-04T09:00:00.000Z',
        },
      ],
    });
    expect(
      caseDeadline(defaultPolicy, 'cn-business-hours', 'response-deadline', {
        fromMs: at('2026-11-23T10:00:00+08:00'),
        duration: { businessDays: 1 },
      }),
    ).toEqual({ dueAt: at('2026-11-24T10:00:00+08:00'), warnings: undefined });
  });
});
