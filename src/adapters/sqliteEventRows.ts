import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../application/eventStore.js';
import { sqliteEventsSchema, SQLITE_EVENTS_SCHEMA_VERSION } from './sqliteEventsSchema.js';

/** Rows come back as arrays, in this column order (`stmt.raw()`), which reads fastest. */
export const COLUMNS =
  'position, stream_id, revision, event_id, type, schema_version, data, metadata, previous_hash, hash';
export type Row = [number, string, number, string, string, number, string, string, string, string];

export const toRecorded = (row: Row): RecordedEvent => {
  // The parsed metadata object takes the hashes itself: no copy (this runs for every event read).
  const metadata = JSON.parse(row[7]) as { previousHash: string; hash: string };
  metadata.previousHash = row[8];
  metadata.hash = row[9];
  return {
    position: BigInt(row[0]),
    streamId: row[1],
    revision: row[2],
    eventId: row[3],
    type: row[4],
    schemaVersion: row[5],
    data: JSON.parse(row[6]) as unknown,
    metadata: metadata as RecordedEvent['metadata'],
  };
};

/** As `toRecorded`, with the stored texts (for verifiers); a member added, not a copy. */
export const toRecordedWithJson = (row: Row): RecordedEvent => {
  const event: { -readonly [K in keyof RecordedEvent]: RecordedEvent[K] } = toRecorded(row);
  event.storedJson = { data: row[6], metadata: row[7] };
  return event;
};

/** Creates the events table in a new file; refuses a file of a newer schema. */
export const migrate = (db: Database.Database): void => {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SQLITE_EVENTS_SCHEMA_VERSION) {
    throw new Error(
      `${db.name}: event store schema version ${version} is newer than this Docket knows (${SQLITE_EVENTS_SCHEMA_VERSION}); upgrade Docket`,
    );
  }
  if (version < SQLITE_EVENTS_SCHEMA_VERSION) {
    db.transaction(() => {
      db.exec(sqliteEventsSchema);
      db.pragma(`user_version = ${SQLITE_EVENTS_SCHEMA_VERSION}`);
    }).immediate();
  }
};
