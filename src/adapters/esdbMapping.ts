import {
  ErrorType,
  jsonEvent,
  NO_STREAM,
  type AppendExpectedRevision,
  type JSONEventData,
  type JSONType,
  type Position,
} from '@eventstore/db-client';
import { eventHash } from '../application/eventHash.js';
import {
  STREAM_ID_PATTERN,
  WrongExpectedRevisionError,
  type EventMetadata,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type RecordedMetadata,
} from '../application/eventStore.js';

/**
 * Pure mapping between the event store port and `@eventstore/db-client` 6.x (EventStoreDB 22.6+;
 * the same API continues as `@kurrent/kurrentdb-client`). No I/O here: esdbEventStore.ts does the
 * calls, this file decides what goes over the wire and what comes back.
 *
 * - Streams: the port's stream ids as-is (`case-<id>`, `directory-tenants`, `directory-tokens`, …);
 *   the port's pattern never produces a `$` (system) stream.
 * - Revisions: ESDB revisions are `bigint` from 0, the port's are numbers (a stream never comes
 *   near 2^53 events, so `Number()` is exact).
 * - Positions: the port's global position is ESDB's *commit* position (a byte offset in the
 *   transaction log: increasing, unique per event, but not dense). Outside explicit transactions
 *   (which this adapter never uses) prepare = commit, so a position handed back to ESDB is
 *   `{ commit: p, prepare: p }`.
 * - Event: `type` is the ESDB event type; `data` is the JSON event data; the ESDB metadata is
 *   the JSON object `{ ...metadata, schemaVersion, previousHash, hash }`; the ESDB event id is a
 *   UUID the adapter derives from stream, command id and index (esdbEventIds.ts; the hash covers it).
 */

/**
 * The server-side stream-name filter for Docket's streams when no prefixes are configured: the
 * start of the port's stream id (`STREAM_ID_PATTERN`), so subscriptions carry every Docket stream
 * and no system (`$`) stream.
 */
export const DOCKET_STREAM_REGEX = '^[a-z][a-z0-9]{0,31}-';

/** The fields of the client's recorded event (`ResolvedEvent.event`) the adapter reads. */
export interface EsdbRecorded {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata: unknown;
  /** Set on `$all` reads; on stream reads only from server 22.6 on. */
  readonly position?: Position | undefined;
}

/** What the server reports as the position of stream-read events before 22.6 (2^64 - 1). */
const UNSET_POSITION = 0xffff_ffff_ffff_ffffn;

/** `{ commit: p, prepare: p }`: an event's position in the form the client's reads take. */
export const toEsdbPosition = (position: bigint): Position => ({
  commit: position,
  prepare: position,
});

/** The port's position of an ESDB event: its commit position. */
export const commitPositionOf = (event: EsdbRecorded): bigint => {
  const commit = event.position?.commit;
  if (commit === undefined || commit === UNSET_POSITION) {
    throw new Error(
      `EventStoreDB did not report the $all position of ${event.streamId}@${event.revision}: ` +
        'the adapter needs EventStoreDB 22.6 or later (positions on stream reads)',
    );
  }
  return commit;
};

/** JSON as the server will store it: what is hashed must be what is read back. */
const asJson = (value: unknown): unknown => {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
};

/** The ESDB metadata object of an event: the envelope metadata plus schema version and hashes. */
export const toEsdbMetadata = (
  metadata: EventMetadata,
  schemaVersion: number,
  previousHash: string,
  hash: string,
): Record<string, unknown> => ({ ...metadata, schemaVersion, previousHash, hash });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Splits the ESDB metadata object back into schema version and the port's metadata. */
export const fromEsdbMetadata = (
  raw: unknown,
  where = 'event',
): { schemaVersion: number; metadata: RecordedMetadata } => {
  if (!isRecord(raw)) throw new Error(`${where} has no Docket metadata (not a JSON object)`);
  const { schemaVersion, ...metadata } = raw;
  if (
    typeof schemaVersion !== 'number' ||
    typeof metadata.previousHash !== 'string' ||
    typeof metadata.hash !== 'string' ||
    typeof metadata.commandId !== 'string'
  ) {
    throw new Error(
      `${where} has no Docket metadata (schemaVersion, previousHash, hash, commandId expected)`,
    );
  }
  return { schemaVersion, metadata: metadata as unknown as RecordedMetadata };
};

/** An ESDB recorded event (from a stream read, `$all` read or subscription) → the port's event. */
export const toRecordedEvent = (event: EsdbRecorded): RecordedEvent => {
  const where = `event ${event.streamId}@${event.revision} (${event.id})`;
  if (!event.isJson) throw new Error(`${where} is not JSON: not written by Docket`);
  const { schemaVersion, metadata } = fromEsdbMetadata(event.metadata, where);
  return {
    eventId: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: commitPositionOf(event),
    type: event.type,
    schemaVersion,
    data: event.data,
    metadata,
  };
};

export interface PrepareAppendInput {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  /** The stream's last revision (-1: no stream). */
  readonly lastRevision: number;
  /** Hash of the stream's last event (GENESIS_HASH for a new stream). */
  readonly lastHash: string;
  readonly newId: () => string;
}

/** The events to append, chained to the stream's last hash, as the client's JSON event data. */
export const prepareAppend = ({
  streamId,
  events,
  lastRevision,
  lastHash,
  newId,
}: PrepareAppendInput): JSONEventData[] => {
  let previousHash = lastHash;
  return events.map((given, index) => {
    const event: NewEvent = {
      type: given.type,
      schemaVersion: given.schemaVersion,
      data: asJson(given.data),
      metadata: asJson(given.metadata) as EventMetadata,
    };
    const id = newId();
    const revision = lastRevision + 1 + index;
    const hash = eventHash({ streamId, revision, eventId: id, event, previousHash });
    const metadata = toEsdbMetadata(event.metadata, event.schemaVersion, previousHash, hash);
    previousHash = hash;
    // JSONType is the client's declared data type; any JSON value is sent as JSON.stringify writes it.
    return jsonEvent({ id, type: event.type, data: event.data as JSONType, metadata });
  });
};

/**
 * The expectation sent to ESDB: exactly the revision the adapter read (or NO_STREAM), so a writer
 * that got in between the adapter's read and its append makes ESDB raise WrongExpectedVersion.
 */
export const toEsdbExpectedRevision = (lastRevision: number): AppendExpectedRevision =>
  lastRevision < 0 ? NO_STREAM : BigInt(lastRevision);

/** The client's WrongExpectedVersionError (matched on its `type`, as the client's errors carry one). */
export interface EsdbWrongExpectedVersion {
  readonly type: ErrorType.WRONG_EXPECTED_VERSION;
  readonly streamName?: string;
  /** The stream's revision when the append was refused, or `'no_stream'`. */
  readonly actualVersion: bigint | string;
}

const hasType = (error: unknown, type: ErrorType): boolean =>
  typeof error === 'object' && error !== null && (error as { type?: unknown }).type === type;

export const isEsdbWrongExpectedVersion = (error: unknown): error is EsdbWrongExpectedVersion =>
  hasType(error, ErrorType.WRONG_EXPECTED_VERSION);

export const isEsdbStreamNotFound = (error: unknown): boolean =>
  hasType(error, ErrorType.STREAM_NOT_FOUND);

/**
 * The one translation of ESDB's WrongExpectedVersionError into the port's conflict error:
 * `expected` is what the caller asked for, `actual` the stream's revision ESDB reported (-1: no
 * stream). Anything else → undefined (not a conflict).
 */
export const toWrongExpectedRevision = (
  error: unknown,
  streamId: string,
  expected: ExpectedRevision,
): WrongExpectedRevisionError | undefined => {
  if (!isEsdbWrongExpectedVersion(error)) return undefined;
  const actual = typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : -1;
  return new WrongExpectedRevisionError(streamId, expected, actual);
};

/**
 * A Docket event: not a system event (`$` type or stream) and in one of the prefixes, or, with no
 * prefixes, in any stream whose name is a port stream id.
 */
export const isDocketEvent = (
  event: Pick<EsdbRecorded, 'streamId' | 'type'>,
  prefixes: readonly string[] | undefined,
): boolean =>
  !event.type.startsWith('$') &&
  !event.streamId.startsWith('$') &&
  (prefixes === undefined
    ? STREAM_ID_PATTERN.test(event.streamId)
    : prefixes.some((prefix) => event.streamId.startsWith(prefix)));

/**
 * Whether `position` lies beyond the exclusive bound `after` in the read direction: strictly
 * greater going forwards, strictly smaller going backwards; no bound lets everything through.
 * ESDB's reads start *at* the given position (inclusive), so the adapter drops the event at
 * `after` itself with this test.
 */
export const isBeyond = (
  position: bigint,
  after: bigint | undefined,
  direction: 'forwards' | 'backwards' = 'forwards',
): boolean =>
  after === undefined || (direction === 'forwards' ? position > after : position < after);
