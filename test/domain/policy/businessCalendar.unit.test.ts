import { describe, expect, it } from 'vitest';
import {
  type BusinessCalendar,
  addBusinessTime,
  businessTimeBetween,
  compileCalendar,
  isOpenAt,
  nextOpening,
} from '../../../src/domain/policy/businessCalendar.js';
import { calendarDefinitionSchema } from '../../../src/domain/policy/calendarDefinition.js';

const HOUR = 3_600_000;
type Windows = [string, string][];

/** An instant from an ISO string with an explicit offset (never the process's TZ). */
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();

const calendar = (input: Record<string, unknown>): BusinessCalendar =>
  compileCalendar(calendarDefinitionSchema.parse(input));
const daily = (windows: Windows) => ({
  mon: windows,
  tue: windows,
  wed: windows,
  thu: windows,
  fri: windows,
  sat: windows,
  sun: windows,
});
const workweek = (windows: Windows) => ({
  mon: windows,
  tue: windows,
  wed: windows,
  thu: windows,
  fri: windows,
});

/** 21vianet technical B: 09:00–24:00 Beijing every day. */
const technicalB = calendar({ zone: 'Asia/Shanghai', week: daily([['09:00', '24:00']]) });
const goldenWeek = [
  '2026-10-01',
  '2026-10-02',
  '2026-10-03',
  '2026-10-04',
  '2026-10-05',
  '2026-10-06',
  '2026-10-07',
];
const shanghaiOffice = calendar({
  zone: 'Asia/Shanghai',
  week: workweek([['09:00', '18:00']]),
  closedDates: goldenWeek,
  extraOpenDates: [{ date: '2026-10-10' }],
});

describe('worked examples of business time (21vianet technical B, 09:00–24:00 Beijing)', () => {
  const monday10 = at('2026-11-23T10:00:00+08:00');

  it('has a 15 h business day', () => {
    expect(technicalB.nominalDayMs).toBe(15 * HOUR);
  });

  it('B: opened Monday 10:00, 1 business day → due Tuesday 10:00', () => {
    expect(addBusinessTime(technicalB, monday10, { businessDays: 1 })).toBe(
      at('2026-11-24T10:00:00+08:00'),
    );
  });

  it('C: opened Monday 10:00, 3 business days → due Thursday 10:00', () => {
    expect(addBusinessTime(technicalB, monday10, { businessDays: 3 })).toBe(
      at('2026-11-26T10:00:00+08:00'),
    );
  });

  it('opened at 02:00 with a 15 h budget → due 24:00 the same day, not 09:00 the next', () => {
    const due = addBusinessTime(technicalB, at('2026-11-23T02:00:00+08:00'), { hours: 15 });
    expect(iso(due)).toBe('2026-11-23T16:00:00.000Z'); // 2026-11-24T00:00+08:00
  });

  it('opened outside hours → the clock starts at 09:00', () => {
    const opened = at('2026-11-23T03:17:00+08:00');
    expect(nextOpening(technicalB, opened)).toBe(at('2026-11-23T09:00:00+08:00'));
    expect(addBusinessTime(technicalB, opened, { hours: 1 })).toBe(at('2026-11-23T10:00:00+08:00'));
    expect(businessTimeBetween(technicalB, opened, at('2026-11-23T10:00:00+08:00'))).toBe(HOUR);
  });

  it('a response at Tuesday 10:00 used exactly one business day', () => {
    expect(businessTimeBetween(technicalB, monday10, at('2026-11-24T10:00:00+08:00'))).toBe(
      15 * HOUR,
    );
  });
});

describe('window edges and zero budgets', () => {
  const friday9 = at('2026-11-27T09:00:00+08:00');
  const friday18 = at('2026-11-27T18:00:00+08:00');

  it('a budget ending exactly at a window end gives that end', () => {
    expect(addBusinessTime(shanghaiOffice, friday9, { hours: 9 })).toBe(friday18);
    expect(addBusinessTime(shanghaiOffice, friday9, 9 * HOUR + 1)).toBe(
      at('2026-11-30T09:00:00.001+08:00'),
    );
  });

  it('a zero budget gives the clock-start instant', () => {
    const inside = at('2026-11-27T11:11:11.111+08:00');
    expect(addBusinessTime(shanghaiOffice, inside, 0)).toBe(inside);
    expect(addBusinessTime(shanghaiOffice, inside, { minutes: 0 })).toBe(inside);
    expect(addBusinessTime(shanghaiOffice, friday18, 0)).toBe(at('2026-11-30T09:00:00+08:00'));
  });

  it('windows are half-open: open at the start, closed at the end', () => {
    expect(isOpenAt(shanghaiOffice, friday9)).toBe(true);
    expect(isOpenAt(shanghaiOffice, friday9 - 1)).toBe(false);
    expect(isOpenAt(shanghaiOffice, friday18 - 1)).toBe(true);
    expect(isOpenAt(shanghaiOffice, friday18)).toBe(false);
    expect(nextOpening(shanghaiOffice, friday18)).toBe(at('2026-11-30T09:00:00+08:00'));
  });

  it('windows adjacent across midnight are contiguous', () => {
    const night = calendar({
      zone: 'Asia/Tokyo',
      week: { mon: [['18:00', '24:00']], tue: [['00:00', '06:00']] },
    });
    const monday23 = at('2026-11-23T23:00:00+09:00');
    expect(addBusinessTime(night, monday23, { hours: 1 })).toBe(at('2026-11-24T00:00:00+09:00'));
    expect(addBusinessTime(night, monday23, { hours: 2 })).toBe(at('2026-11-24T01:00:00+09:00'));
    expect(isOpenAt(night, at('2026-11-24T00:00:00+09:00'))).toBe(true);
    expect(businessTimeBetween(night, monday23, at('2026-11-24T06:00:00+09:00'))).toBe(7 * HOUR);
    expect(night.nominalDayMs).toBe(6 * HOUR);
  });

  it('two windows a day skip the lunch break', () => {
    const split = calendar({
      zone: 'Europe/Berlin',
      week: workweek([
        ['09:00', '12:00'],
        ['13:00', '18:00'],
      ]),
    });
    expect(split.nominalDayMs).toBe(8 * HOUR);
    const monday11 = at('2026-11-23T11:00:00+01:00');
    expect(addBusinessTime(split, monday11, { hours: 1 })).toBe(at('2026-11-23T12:00:00+01:00'));
    expect(addBusinessTime(split, monday11, { hours: 2 })).toBe(at('2026-11-23T14:00:00+01:00'));
    expect(isOpenAt(split, at('2026-11-23T12:30:00+01:00'))).toBe(false);
    expect(nextOpening(split, at('2026-11-23T12:30:00+01:00'))).toBe(
      at('2026-11-23T13:00:00+01:00'),
    );
  });

  it('rejects negative or non-finite budgets and instants', () => {
    expect(() => addBusinessTime(shanghaiOffice, friday9, -1)).toThrow(RangeError);
    expect(() => addBusinessTime(shanghaiOffice, friday9, Number.NaN)).toThrow(RangeError);
    expect(() => addBusinessTime(shanghaiOffice, Number.NaN, 1)).toThrow(RangeError);
    expect(() => businessTimeBetween(shanghaiOffice, 0, Number.POSITIVE_INFINITY)).toThrow(
      RangeError,
    );
  });

  it('between is 0 when b <= a', () => {
    expect(businessTimeBetween(shanghaiOffice, friday18, friday9)).toBe(0);
    expect(businessTimeBetween(shanghaiOffice, friday9, friday9)).toBe(0);
  });
});

describe('millisecond precision', () => {
  it('adds and measures single milliseconds, not minutes', () => {
    const start = at('2026-11-23T09:00:00.001+08:00');
    expect(addBusinessTime(shanghaiOffice, start, 1)).toBe(at('2026-11-23T09:00:00.002+08:00'));
    expect(addBusinessTime(shanghaiOffice, at('2026-11-23T17:59:59.999+08:00'), 2)).toBe(
      at('2026-11-24T09:00:00.001+08:00'),
    );
    expect(
      businessTimeBetween(
        shanghaiOffice,
        at('2026-11-23T08:59:59.999+08:00'),
        at('2026-11-23T09:00:00.007+08:00'),
      ),
    ).toBe(7);
    expect(addBusinessTime(shanghaiOffice, start, { seconds: 1.5 })).toBe(start + 1500);
  });
});

describe('DST (Europe/Berlin 2026: spring forward 03-29, fall back 10-25)', () => {
  const allDay = calendar({ zone: 'Europe/Berlin', week: daily([['00:00', '24:00']]) });
  const office = calendar({ zone: 'Europe/Berlin', week: workweek([['09:00', '17:00']]) });

  it('a 24×7 calendar has a 24 h business day', () => {
    expect(allDay.nominalDayMs).toBe(24 * HOUR);
  });

  it.each([
    ['spring', '2026-03-28T12:00:00+01:00', '2026-03-29T13:00:00+02:00'],
    ['fall', '2026-10-24T12:00:00+02:00', '2026-10-25T11:00:00+01:00'],
  ])('24×7: 1 business day across the %s switch is 24 real hours', (_, opened, due) => {
    const result = addBusinessTime(allDay, at(opened), { businessDays: 1 });
    expect(result).toBe(at(due));
    expect(result - at(opened)).toBe(24 * HOUR);
  });

  it.each([
    ['spring', '2026-03-27T10:00:00+01:00', '2026-03-30T10:00:00+02:00'],
    ['fall', '2026-10-23T10:00:00+02:00', '2026-10-26T10:00:00+01:00'],
  ])('09:00–17:00 is unaffected by the %s switch', (_, opened, due) => {
    expect(office.nominalDayMs).toBe(8 * HOUR);
    expect(addBusinessTime(office, at(opened), { businessDays: 1 })).toBe(at(due));
    expect(businessTimeBetween(office, at(opened), at(due))).toBe(8 * HOUR);
  });

  it.each([
    ['spring', '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', 23],
    ['fall', '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', 25],
  ])('a 00:00–24:00 window on the %s switch day has its real length', (_, from, to, hours) => {
    expect(businessTimeBetween(allDay, at(from), at(to))).toBe(hours * HOUR);
    expect(addBusinessTime(allDay, at(from), hours * HOUR)).toBe(at(to));
  });

  it('windows inside the switch hours have their real length', () => {
    const night = calendar({
      zone: 'Europe/Berlin',
      week: { sun: [['01:00', '04:00']], mon: [['02:00', '03:00']] },
    });
    // Spring: 02:00–03:00 does not exist, so 01:00–04:00 lasts 2 h.
    expect(
      businessTimeBetween(night, at('2026-03-29T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00')),
    ).toBe(2 * HOUR);
    // Fall: 02:00–03:00 happens twice, so 01:00–04:00 lasts 4 h.
    expect(
      businessTimeBetween(night, at('2026-10-25T00:00:00+02:00'), at('2026-10-26T00:00:00+01:00')),
    ).toBe(4 * HOUR);
    expect(addBusinessTime(night, at('2026-10-25T00:00:00+02:00'), 3 * HOUR)).toBe(
      at('2026-10-25T03:00:00+01:00'),
    );
  });

  it('a window swallowed by the spring gap is skipped; an ambiguous start is its first occurrence', () => {
    const gap = calendar({ zone: 'Europe/Berlin', week: daily([['02:00', '03:00']]) });
    expect(
      businessTimeBetween(gap, at('2026-03-29T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00')),
    ).toBe(0);
    expect(nextOpening(gap, at('2026-03-29T00:00:00+01:00'))).toBe(at('2026-03-30T02:00:00+02:00'));
    expect(nextOpening(gap, at('2026-10-25T00:00:00+02:00'))).toBe(at('2026-10-25T02:00:00+02:00'));
    expect(
      businessTimeBetween(gap, at('2026-10-25T00:00:00+02:00'), at('2026-10-26T00:00:00+01:00')),
    ).toBe(2 * HOUR);
  });
});

describe('closed dates and extra open dates', () => {
  it('a Chinese make-up Saturday: the budget skips Golden Week and runs on Saturday', () => {
    expect(shanghaiOffice.nominalDayMs).toBe(9 * HOUR);
    const friday10 = at('2026-10-09T10:00:00+08:00');
    expect(addBusinessTime(shanghaiOffice, friday10, { businessDays: 1 })).toBe(
      at('2026-10-10T10:00:00+08:00'),
    );
    const beforeHoliday = at('2026-09-30T17:00:00+08:00');
    expect(addBusinessTime(shanghaiOffice, beforeHoliday, { hours: 1 })).toBe(
      at('2026-09-30T18:00:00+08:00'),
    );
    expect(addBusinessTime(shanghaiOffice, beforeHoliday, { hours: 2 })).toBe(
      at('2026-10-08T10:00:00+08:00'),
    );
    // 1 h on 09-30, 9 h on 10-08, 9 h on 10-09, 8 h on the make-up Saturday.
    expect(addBusinessTime(shanghaiOffice, beforeHoliday, { businessDays: 3 })).toBe(
      at('2026-10-10T17:00:00+08:00'),
    );
    expect(
      businessTimeBetween(
        shanghaiOffice,
        at('2026-10-01T00:00:00+08:00'),
        at('2026-10-08T00:00:00+08:00'),
      ),
    ).toBe(0);
    expect(isOpenAt(shanghaiOffice, at('2026-10-10T12:00:00+08:00'))).toBe(true);
    expect(isOpenAt(shanghaiOffice, at('2026-10-11T12:00:00+08:00'))).toBe(false);

    const noMakeUp = calendar({
      zone: 'Asia/Shanghai',
      week: workweek([['09:00', '18:00']]),
      closedDates: goldenWeek,
    });
    expect(addBusinessTime(noMakeUp, beforeHoliday, { businessDays: 3 })).toBe(
      at('2026-10-12T17:00:00+08:00'),
    );
  });

  it('a make-up day on a closed weekday borrows the normal day (most common pattern)', () => {
    const split: Windows = [
      ['09:00', '12:00'],
      ['13:00', '18:00'],
    ];
    const c = calendar({
      zone: 'Asia/Shanghai',
      week: { mon: split, tue: split, wed: split, thu: split, fri: [['09:00', '15:00']] },
      extraOpenDates: [{ date: '2026-10-10' }],
    });
    expect(c.nominalDayMs).toBe(8 * HOUR);
    expect(isOpenAt(c, at('2026-10-10T12:30:00+08:00'))).toBe(false);
    expect(
      businessTimeBetween(c, at('2026-10-10T00:00:00+08:00'), at('2026-10-11T00:00:00+08:00')),
    ).toBe(8 * HOUR);
  });

  it('an extra open date uses its own windows when it lists them', () => {
    const c = calendar({
      zone: 'Asia/Shanghai',
      week: workweek([['09:00', '18:00']]),
      extraOpenDates: [
        { date: '2026-10-11', windows: [['10:00', '12:00']] },
        { date: '2026-10-12', windows: [['14:00', '15:30']] },
      ],
    });
    const sunday = at('2026-10-11T00:00:00+08:00');
    expect(nextOpening(c, sunday)).toBe(at('2026-10-11T10:00:00+08:00'));
    expect(addBusinessTime(c, sunday, { hours: 2 })).toBe(at('2026-10-11T12:00:00+08:00'));
    // Monday 10-12 is open only 14:00–15:30 instead of 09:00–18:00.
    expect(addBusinessTime(c, sunday, { hours: 3 })).toBe(at('2026-10-12T15:00:00+08:00'));
    expect(addBusinessTime(c, sunday, { hours: 4 })).toBe(at('2026-10-13T09:30:00+08:00'));
  });

  it('an extra open date on an open weekday without windows keeps that weekday', () => {
    const c = calendar({
      zone: 'Asia/Shanghai',
      week: { ...workweek([['09:00', '18:00']]), wed: [['10:00', '11:00']] },
      extraOpenDates: [{ date: '2026-10-14' }], // a Wednesday
    });
    expect(
      businessTimeBetween(c, at('2026-10-14T00:00:00+08:00'), at('2026-10-15T00:00:00+08:00')),
    ).toBe(HOUR);
  });

  it('long closed stretches are skipped', () => {
    const closedDates: string[] = [];
    for (let day = 0; day < 900; day++) {
      closedDates.push(new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10));
    }
    const c = calendar({ zone: 'Asia/Shanghai', week: daily([['09:00', '18:00']]), closedDates });
    expect(addBusinessTime(c, at('2026-01-01T00:00:00+08:00'), { hours: 1 })).toBe(
      at('2028-06-19T10:00:00+08:00'),
    );
  });

  it('throws when the calendar never opens again', () => {
    const closedDates: string[] = [];
    for (let day = 0; day < 4000; day += 7) {
      closedDates.push(new Date(Date.UTC(2026, 10, 23 + day)).toISOString().slice(0, 10));
    }
    const c = calendar({ zone: 'Asia/Shanghai', week: { mon: [['09:00', '10:00']] }, closedDates });
    expect(() => addBusinessTime(c, at('2026-11-23T00:00:00+08:00'), 1)).toThrow(/no open window/);
  });
});

describe('nominal business day', () => {
  it('is businessDayHours when given', () => {
    const c = calendar({
      zone: 'UTC',
      week: workweek([['09:00', '18:00']]),
      businessDayHours: 8,
    });
    expect(c.nominalDayMs).toBe(8 * HOUR);
    expect(addBusinessTime(c, at('2026-11-23T09:00:00Z'), { businessDays: 1 })).toBe(
      at('2026-11-23T17:00:00Z'),
    );
  });

  it('is the most common non-zero daily total, ties to the larger', () => {
    const short: Windows = [['09:00', '15:00']];
    const long: Windows = [['09:00', '18:00']];
    expect(
      calendar({ zone: 'UTC', week: { mon: long, tue: long, wed: long, thu: long, fri: short } })
        .nominalDayMs,
    ).toBe(9 * HOUR);
    expect(
      calendar({ zone: 'UTC', week: { mon: short, tue: short, wed: long, thu: long } })
        .nominalDayMs,
    ).toBe(9 * HOUR);
  });
});

describe('process time zone independence', () => {
  it('gives the same absolute instants whatever process.env.TZ says', () => {
    const saved = process.env.TZ;
    const results: string[] = [];
    try {
      for (const tz of ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Europe/Berlin']) {
        process.env.TZ = tz;
        const c = calendar({
          zone: 'Asia/Shanghai',
          week: workweek([['09:00', '18:00']]),
          closedDates: goldenWeek,
          extraOpenDates: [{ date: '2026-10-10' }],
        });
        results.push(iso(addBusinessTime(c, at('2026-09-30T17:00:00+08:00'), { businessDays: 3 })));
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(results).toEqual(Array<string>(4).fill('2026-10-10T09:00:00.000Z'));
  });
});
