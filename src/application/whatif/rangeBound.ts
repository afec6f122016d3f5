import { DateTime } from 'luxon';
import { isoInstantSchema, parseInstant } from '../../domain/instant.js';

/**
 * A bound of the what-if's range, as a person gives it: a day (`2026-11-01`, its 00:00 UTC) or
 * an ISO 8601 instant with an offset. Epoch ms, or undefined for anything else (a day that does
 * not exist, an instant without an offset).
 */
export const parseRangeBound = (text: string): number | undefined => {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const day = DateTime.fromISO(text, { zone: 'utc' });
    return day.isValid ? day.toMillis() : undefined;
  }
  return isoInstantSchema.safeParse(text).success ? parseInstant(text) : undefined;
};
