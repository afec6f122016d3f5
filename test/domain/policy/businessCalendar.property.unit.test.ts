import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessTime,
  businessTimeBetween,
  compileCalendar,
  isOpenAt,
  nextOpening,
} from '../../../src/domain/policy/businessCalendar.js';
import {
  type CalendarDefinition,
  calendarDefinitionSchema,
  weekdays,
} from '../../../src/domain/policy/calendarDefinition.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FROM = Date.parse('2026-01-01T00:00:00Z');
const TO = Date.parse('2028-01-01T00:00:00Z');
type Windows = [string, string][];

const daily = (w: Windows) => Object.fromEntries(weekdays.map((d) => [d, w]));
const split: Windows = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];

/** Each fixture carries the windows a make-up day on a closed weekday borrows, for the oracle. */
const fixtures: { name: string; definition: CalendarDefinition; normal: Windows }[] = [
  {
    name: '24×7 America/New_York',
    definition: calendarDefinitionSchema.parse({
      zone: 'America/New_York',
      week: daily([['00:00', '24:00']]),
    }),
    normal: [['00:00', '24:00']],
  },
  {
    name: '09:00–24:00 daily Asia/Shanghai',
    definition: calendarDefinitionSchema.parse({
      zone: 'Asia/Shanghai',
      week: daily([['09:00', '24:00']]),
      closedDates: ['2027-02-06'],
    }),
    normal: [['09:00', '24:00']],
  },
  {
    name: 'Mon–Fri 09:00–18:00 Asia/Shanghai, Golden Weeks, make-up Saturdays',
    definition: calendarDefinitionSchema.parse({
      zone: 'Asia/Shanghai',
      week: {
        mon: [['09:00', '18:00']],
        tue: [['09:00', '18:00']],
        wed: [['09:00', '18:00']],
        thu: [['09:00', '18:00']],
        fri: [['09:00', '18:00']],
      },
      closedDates: [1, 2, 3, 4, 5, 6, 7].flatMap((d) => [`2026-10-0${d}`, `2027-10-0${d}`]),
      extraOpenDates: [
        { date: '2026-09-20' },
        { date: '2026-10-10' },
        { date: '2027-10-09', windows: [['10:00', '16:30']] },
        { date: '2027-02-08', windows: [['13:00', '14:00']] },
      ],
    }),
    normal: [['09:00', '18:00']],
  },
  {
    name: 'two windows a day Europe/Berlin, night shift across the Sunday DST switch',
    definition: calendarDefinitionSchema.parse({
      zone: 'Europe/Berlin',
      week: {
        mon: split,
        tue: split,
        wed: split,
        thu: split,
        fri: split,
        sat: [['22:00', '24:00']],
        sun: [['00:00', '03:00']],
      },
      closedDates: ['2026-12-24', '2026-12-25', '2027-12-24'],
      extraOpenDates: [{ date: '2026-12-27' }],
    }),
    normal: split,
  },
];

/** Instants over 2026–2027, half of them near whole hours (where every window edge lies). */
const instant = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc
    .tuple(fc.integer({ min: FROM / HOUR, max: TO / HOUR }), fc.integer({ min: -2, max: 2 }))
    .map(([h, jitter]) => h * HOUR + jitter),
);
/** Business budgets in ms up to 20 days, half of them near whole hours. */
const budget = fc.oneof(
  fc.integer({ min: 0, max: 20 * DAY }),
  fc
    .tuple(fc.integer({ min: 0, max: 480 }), fc.integer({ min: -1, max: 1 }))
    .map(([h, jitter]) => Math.max(0, h * HOUR + jitter)),
);
const positive = budget.map((d) => d + 1);

/**
 * An independent oracle: the windows of every local date, placed with luxon (no window edge of
 * these fixtures is an ambiguous or skipped local time), intersected with [a, b).
 */
const oracleBetween = (
  { definition, normal }: (typeof fixtures)[number],
  a: number,
  b: number,
): number => {
  const zone = definition.zone;
  const edge = (date: DateTime, time: string): number =>
    time === '24:00'
      ? date.plus({ days: 1 }).toMillis()
      : DateTime.fromISO(`${date.toISODate()}T${time}`, { zone }).toMillis();
  let sum = 0;
  let date = DateTime.fromMillis(a, { zone }).startOf('day').minus({ days: 1 });
  while (date.toMillis() < b) {
    const iso = date.toISODate() ?? '';
    const weekly = definition.week[weekdays[date.weekday - 1]!] ?? [];
    const extra = definition.extraOpenDates.find((e) => e.date === iso);
    const windows = definition.closedDates.includes(iso)
      ? []
      : extra === undefined
        ? weekly
        : (extra.windows ?? (weekly.length > 0 ? weekly : normal));
    for (const [s, e] of windows) {
      sum += Math.max(0, Math.min(edge(date, e), b) - Math.max(edge(date, s), a));
    }
    date = date.plus({ days: 1 });
  }
  return sum;
};

describe.each(fixtures)('business time properties: $name', (fixture) => {
  const calendar = compileCalendar(fixture.definition);
  const add = (start: number, d: number) => addBusinessTime(calendar, start, d);
  const between = (a: number, b: number) => businessTimeBetween(calendar, a, b);

  it('(1) the business time between a start and start + d is d', () => {
    fc.assert(
      fc.property(instant, budget, (start, d) => {
        expect(between(start, add(start, d))).toBe(d);
      }),
    );
  });

  it('(2) adding a then b is adding a + b', () => {
    fc.assert(
      fc.property(instant, positive, positive, (start, a, b) => {
        expect(add(add(start, a), b)).toBe(add(start, a + b));
      }),
    );
  });

  it('(3) a due instant is inside a window or exactly at its end; zero gives the clock start', () => {
    fc.assert(
      fc.property(instant, positive, (start, d) => {
        const due = add(start, d);
        // The budget's last millisecond [due - 1, due) was spent inside a window.
        expect(isOpenAt(calendar, due - 1)).toBe(true);
        const clockStart = add(start, 0);
        expect(clockStart).toBe(nextOpening(calendar, start));
        expect(isOpenAt(calendar, clockStart)).toBe(true);
        expect(clockStart === start).toBe(isOpenAt(calendar, start));
        expect(between(start, clockStart)).toBe(0);
        expect(due).toBeGreaterThan(clockStart);
      }),
    );
  });

  it('(4) adding is monotonic in the start', () => {
    fc.assert(
      fc.property(instant, instant, budget, (x, y, d) => {
        const [s1, s2] = x <= y ? [x, y] : [y, x];
        expect(add(s1, d)).toBeLessThanOrEqual(add(s2, d));
      }),
    );
  });

  it('(5) business time between is additive', () => {
    fc.assert(
      fc.property(instant, instant, instant, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p - q) as [number, number, number];
        expect(between(a, b) + between(b, c)).toBe(between(a, c));
      }),
    );
  });

  it('(6) business time between matches a luxon oracle, and the memo changes nothing', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 30 * DAY }), (a, span) => {
        const expected = oracleBetween(fixture, a, a + span);
        expect(between(a, a + span)).toBe(expected);
        expect(businessTimeBetween(compileCalendar(fixture.definition), a, a + span)).toBe(
          expected,
        );
      }),
      { numRuns: 60 },
    );
  });
});
