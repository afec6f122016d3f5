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

/** Instants are stored and printed in UTC with millisecond precision. */
export const formatInstant = (ms: number): string => new Date(ms).toISOString();
