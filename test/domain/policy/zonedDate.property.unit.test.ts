import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { utcOffsetMinutes, zonedDate } from '../../../src/domain/policy/zonedDate.js';

/** Whole-hour, half-hour and 45-minute offsets; DST shifts of one hour and of 30 minutes. */
const zones = [
  'UTC',
  'Asia/Shanghai',
  'Europe/Berlin',
  'America/New_York',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Australia/Adelaide',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/Santiago', // clocks change at midnight: the date itself moves
  'Asia/Beirut',
];
const FROM = Date.parse('1995-01-01T00:00:00Z');
const TO = Date.parse('2040-01-01T00:00:00Z');
const MINUTE = 60_000;

const luxonDate = (ms: number, zone: string) =>
  DateTime.fromMillis(ms, { zone }).toISODate() ?? undefined;

describe('zonedDate (the reporting day of an instant in a zone)', () => {
  it('agrees with luxon for any instant in any zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: FROM, max: TO }), fc.constantFrom(...zones), (ms, zone) => {
        expect(zonedDate(new Date(ms).toISOString(), zone)).toBe(luxonDate(ms, zone));
      }),
      { numRuns: 5_000 },
    );
  });

  it('agrees with luxon for instants that share their hours (answered from the cache)', () => {
    const HOUR = 60 * MINUTE;
    // Forty days around the northern spring clock changes: most hours are asked many times.
    const start = Math.floor(Date.parse('2026-03-01T00:00:00Z') / HOUR);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 * 40 }),
        fc.integer({ min: 0, max: HOUR - 1 }),
        fc.constantFrom(...zones),
        (hour, within, zone) => {
          const ms = (start + hour) * HOUR + within;
          expect(zonedDate(new Date(ms).toISOString(), zone)).toBe(luxonDate(ms, zone));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('offsets and dates agree with luxon minute by minute around clock changes, asked in any order', () => {
    // Each zone's transitions in 2026 (found with luxon), every minute from 3 h before to 3 h after.
    for (const zone of zones) {
      let previous = luxonOffset(Date.parse('2026-01-01T00:00:00Z'), zone);
      for (
        let ms = Date.parse('2026-01-01T00:00:00Z');
        ms < Date.parse('2027-01-01T00:00:00Z');
        ms += 15 * MINUTE
      ) {
        const offset = luxonOffset(ms, zone);
        if (offset === previous) continue;
        previous = offset;
        const around = Array.from({ length: 361 }, (_, i) => ms - 180 * MINUTE + i * MINUTE);
        for (const t of fc.sample(fc.shuffledSubarray(around, { minLength: 361 }), 1)[0]!) {
          expect(utcOffsetMinutes(zone, t), `${zone} ${t}`).toBe(luxonOffset(t, zone));
          expect(
            zonedDate(new Date(t).toISOString(), zone),
            `${zone} ${new Date(t).toISOString()}`,
          ).toBe(luxonDate(t, zone));
        }
      }
    }
  });

  it('takes instants written with an offset, and refuses what is not an instant or a zone', () => {
    expect(zonedDate('2026-11-23T23:30:00-05:00', 'Asia/Shanghai')).toBe('2026-11-24');
    expect(zonedDate('2026-11-23T23:30:00-05:00', 'America/New_York')).toBe('2026-11-23');
    expect(zonedDate('yesterday', 'UTC')).toBeUndefined();
    expect(zonedDate('2026-11-23T10:00:00Z', 'Mars/Olympus_Mons')).toBeUndefined();
  });
});

const luxonOffset = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).offset;
