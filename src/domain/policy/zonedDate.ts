import { IANAZone } from 'luxon';

const HOUR_MS = 3_600_000;
/** Cached (zone, hour) offsets before the cache starts afresh: a few months of hours, a few zones. */
const MAX_CACHED = 20_000;

/** Offsets by zone and hour (`Europe/Paris@493800`), for hours without a transition. */
const offsets = new Map<string, number>();
const hourOf = (epochMs: number) => Math.floor(epochMs / HOUR_MS);

/**
 * The zone's UTC offset in minutes at `epochMs` (NaN for a zone that does not exist), from
 * luxon, asked once per zone and hour: no zone moves its clocks twice in an hour.
 */
export const utcOffsetMinutes = (zone: string, epochMs: number): number => {
  const hour = hourOf(epochMs);
  const key = `${zone}@${hour}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  const iana = IANAZone.create(zone); // luxon keeps one instance per zone name
  const start = iana.offset(hour * HOUR_MS);
  const end = iana.offset(hour * HOUR_MS + HOUR_MS - 1);
  // An hour with a transition in it is worked out for the instant itself and not cached.
  if (start !== end) return iana.offset(epochMs);
  if (offsets.size >= MAX_CACHED) offsets.clear();
  offsets.set(key, start);
  return start;
};

/** Reporting days by zone and UTC hour (`Europe/Paris 2026-03-02T13`), for whole-hour offsets. */
const days = new Map<string, string>();

/**
 * The calendar date (`YYYY-MM-DD`) of an ISO instant in an IANA zone: a reporting day, cheap
 * enough for projections to ask for every case they see. `undefined` for an instant that does
 * not parse or a zone that does not exist. Pure: no clock, no I/O.
 */
export const zonedDate = (iso: string, zone: string): string | undefined => {
  // An instant as Docket writes them (`2026-03-02T13:04:05.678Z`) in a zone whose offset is a
  // whole number of hours all that hour: one date for the whole UTC hour, looked up by text.
  const canonical = iso.length === 24 && iso.charCodeAt(23) === 90; // 'Z'
  const key = canonical ? `${zone} ${iso.slice(0, 13)}` : undefined;
  if (key !== undefined) {
    const day = days.get(key);
    if (day !== undefined) return day;
  }
  const epochMs = Date.parse(iso);
  if (Number.isNaN(epochMs)) return undefined;
  const offset = utcOffsetMinutes(zone, epochMs);
  if (Number.isNaN(offset)) return undefined;
  const day = new Date(epochMs + offset * 60_000).toISOString().slice(0, 10);
  if (key !== undefined && offset % 60 === 0 && offsets.has(`${zone}@${hourOf(epochMs)}`)) {
    if (days.size >= MAX_CACHED) days.clear();
    days.set(key, day);
  }
  return day;
};
