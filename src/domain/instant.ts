import { DateTime } from 'luxon';
import { z } from 'zod';

/** One civil day, 24 × 60 × 60 × 1000 ms (calendar days: auto-close, day ordinals). */
export const DAY_MS = 86_400_000;

/** ISO 8601 with an offset or Z, e.g. 2026-11-23T10:00:00+08:00. */
export const isoInstantSchema = z.iso.datetime({
  offset: true,
  message: 'an ISO 8601 instant with an offset, e.g. 2026-11-23T10:00:00+08:00',
});

/** Epoch ms of an ISO 8601 instant that carries an offset; NaN if it does not parse. */
export const parseInstant = (iso: string): number =>
  DateTime.fromISO(iso, { setZone: true }).toMillis();

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z: the years written with 4 digits. */
const FOUR_DIGIT_YEARS = [-62_167_219_200_000, 253_402_300_800_000] as const;

/**
 * Instants are stored and printed in UTC with millisecond precision: what
 * `Date.prototype.toISOString` gives, written here for the years 0000–9999 (the civil date from
 * the day number, H. Hinnant's algorithm) because `toISOString` costs 1–2 µs a call and a
 * replay formats an instant for every event it decides; other years, and invalid instants (a
 * RangeError), are left to `toISOString`.
 */
export const formatInstant = (ms: number): string => {
  const t = Math.trunc(ms) + 0; // as Date does (TimeClip); + 0 turns -0 into 0
  if (!(t >= FOUR_DIGIT_YEARS[0] && t < FOUR_DIGIT_YEARS[1])) return new Date(ms).toISOString();
  const days = Math.floor(t / DAY_MS);
  let rest = t - days * DAY_MS;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  // Days since 0000-03-01 in 400-year eras (a leap day ends each year), then year, month, day.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1_460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const yyyy =
    year < 10 ? `000${year}` : year < 100 ? `00${year}` : year < 1000 ? `0${year}` : `${year}`;
  return `${yyyy}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${pad3(milli)}Z`;
};
