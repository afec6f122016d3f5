/**
 * Business-calendar throughput: due-instant computations per second for a 3-business-day target,
 * against a baseline of the same number of raw luxon zone conversions of the start instant.
 * Run with `npx tsx bench/calendar.bench.ts` (add `--expose-gc` for exact heap figures). Prints figures only; asserts nothing.
 */
import { DateTime } from 'luxon';
import { performance } from 'node:perf_hooks';
import { addBusinessTime, compileCalendar } from '../src/domain/policy/businessCalendar.js';
import {
  type CalendarDefinition,
  calendarDefinitionSchema,
} from '../src/domain/policy/calendarDefinition.js';

const N = 100_000;
const ROUNDS = 3;
const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
const YEAR_MS = 365 * 86_400_000;

/** Deterministic pseudo-random starts (mulberry32), whole milliseconds over one year. */
const starts = (count: number, seed: number): Float64Array => {
  const out = new Float64Array(count);
  let a = seed >>> 0;
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = YEAR_START + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * YEAR_MS);
  }
  return out;
};

const every = (windows: [string, string][]) => ({
  mon: windows,
  tue: windows,
  wed: windows,
  thu: windows,
  fri: windows,
  sat: windows,
  sun: windows,
});
const weekdaysOnly = (windows: [string, string][]) => ({
  mon: windows,
  tue: windows,
  wed: windows,
  thu: windows,
  fri: windows,
});

const cases: { name: string; definition: CalendarDefinition }[] = [
  {
    name: 'mon-fri',
    definition: calendarDefinitionSchema.parse({
      zone: 'Asia/Shanghai',
      week: weekdaysOnly([['09:00', '18:00']]),
      closedDates: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
      extraOpenDates: [{ date: '2026-10-10' }],
    }),
  },
  {
    name: '24x7',
    definition: calendarDefinitionSchema.parse({
      zone: 'Asia/Shanghai',
      week: every([['00:00', '24:00']]),
    }),
  },
  {
    name: '09-24 daily',
    definition: calendarDefinitionSchema.parse({
      zone: 'Asia/Shanghai',
      week: every([['09:00', '24:00']]),
    }),
  },
];

/** Best of `rounds` timed runs of N operations. */
const opsPerSecond = (rounds: number, run: () => number): { ops: number; sink: number } => {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    sink += run();
    best = Math.min(best, performance.now() - t0);
  }
  return { ops: (N / best) * 1000, sink };
};

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

const input = starts(N, 20_261_123);
let sink = 0;
for (const { name, definition } of cases) {
  const zone = definition.zone;
  const calendar = compileCalendar(definition);
  const cold = opsPerSecond(1, () => {
    let acc = 0;
    for (let i = 0; i < N; i++) acc += addBusinessTime(calendar, input[i]!, { businessDays: 3 });
    return acc;
  });
  const warm = opsPerSecond(ROUNDS, () => {
    let acc = 0;
    for (let i = 0; i < N; i++) acc += addBusinessTime(calendar, input[i]!, { businessDays: 3 });
    return acc;
  });
  const raw = opsPerSecond(ROUNDS, () => {
    let acc = 0;
    for (let i = 0; i < N; i++) acc += DateTime.fromMillis(input[i]!, { zone }).toMillis();
    return acc;
  });
  sink += cold.sink + warm.sink + raw.sink;
  console.log(
    `calendar.addBusinessTime ${name} 3bd: ${fmt(warm.ops)} ops/s ` +
      `(raw luxon zone conversion ${fmt(raw.ops)} ops/s, ratio ${(warm.ops / raw.ops).toFixed(2)}; ` +
      `first pass with an empty memo ${fmt(cold.ops)} ops/s)`,
  );
}

// Memory: one calendar fed ever more distinct dates; the memo keeps at most 4096 of them.
const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const calendar = compileCalendar(cases[0]!.definition);
const heapBefore = heap();
const marks: string[] = [];
for (let year = 1; year <= 40; year++) {
  for (const ms of starts(20_000, year)) sink += addBusinessTime(calendar, ms + year * YEAR_MS, 1);
  if (year === 1 || year === 10 || year === 40) marks.push(`${mb(heap())} after ${year} years`);
}
console.log(
  `calendar memory mon-fri: heapUsed ${mb(heapBefore)} before, ${marks.join(', ')} of distinct dates` +
    (gc === undefined ? ' (no --expose-gc: figures include garbage)' : ''),
);
if (sink === 42) console.log('');
