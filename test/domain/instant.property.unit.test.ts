import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../src/domain/instant.js';

/** The longest span Date holds: ±100,000,000 days around 1970. */
const MAX = 8_640_000_000_000_000;

describe('formatInstant', () => {
  it('gives what Date.prototype.toISOString gives, for any instant Date holds', () => {
    const instant = fc.oneof(
      fc.integer({ min: -MAX, max: MAX }),
      // Around now; the years written with four digits; their edges; leap days.
      fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
      fc.integer({ min: -62_167_219_200_000 - 86_400_000, max: 253_402_300_800_000 + 86_400_000 }),
      fc.date({ min: new Date('1600-01-01'), max: new Date('2400-12-31') }).map((d) => d.getTime()),
      fc.double({ min: -MAX, max: MAX, noNaN: true }),
      fc.constantFrom(
        0,
        -0,
        -1,
        1,
        -0.5,
        0.5,
        86_399_999,
        86_400_000,
        -86_400_000,
        MAX,
        -MAX,
        Date.UTC(2000, 1, 29),
        Date.UTC(2100, 2, 1) - 1,
        -62_167_219_200_000,
        -62_167_219_200_001,
        253_402_300_799_999,
        253_402_300_800_000,
      ),
    );
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (instants) => {
        for (const ms of instants) expect(formatInstant(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses an instant Date does not hold, as toISOString does', () => {
    for (const ms of [Number.NaN, Infinity, -Infinity, MAX + 1, -MAX - 1]) {
      expect(() => formatInstant(ms)).toThrow(RangeError);
    }
  });
});
