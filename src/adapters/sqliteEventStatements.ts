import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { canonicalEventHash } from '../application/eventHash.js';
import {
  GENESIS_HASH,
  revisionMatches,
  WrongExpectedRevisionError,
  type AppendResult,
  type ExpectedRevision,
  type NewEvent,
} from '../application/eventStore.js';
import { COLUMNS, type Row } from './sqliteEventRows.js';

/** One caller's append, queued for the next transaction (group commit). */
export interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
  /**
   * Canonical JSON of each event's data and metadata, serialised before the transaction: what
   * is hashed is exactly what is stored, so a verifier can hash the stored text as it is.
   */
  readonly serialised: ReadonlyArray<{ data: string; metadata: string }>;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** The SQLite event store's statements, prepared once per connection. */
export interface EventStatements {
  readonly last: Database.Statement<[string], { revision: number; hash: string }>;
  readonly byCommand: Database.Statement<[string, string], { revision: number; position: number }>;
  readonly insert: Database.Statement<
    [string, number, string, string, number, string, string, string, string, string]
  >;
  readonly streamForwards: Database.Statement<[string, number, number]>;
  readonly streamBackwards: Database.Statement<[string, number, number]>;
  readonly allForwards: Database.Statement<[number, number]>;
  readonly allBackwards: Database.Statement<[number, number]>;
  readonly byStream: Database.Statement<[string, number, string, number]>;
  /** The stream ids in `[from, to)`, ascending. */
  readonly streamIds: Database.Statement<[string, string], string>;
  readonly streamCount: Database.Statement<[string, string], number>;
  readonly count: Database.Statement<[], number>;
}

export const prepareStatements = (db: Database.Database): EventStatements => {
  const select = (where: string, order: string) =>
    db.prepare(`SELECT ${COLUMNS} FROM events WHERE ${where} ORDER BY ${order} LIMIT ?`);
  return {
    last: db.prepare(
      'SELECT revision, hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    ),
    byCommand: db.prepare(
      `SELECT revision, position FROM events WHERE stream_id = ? AND command_id = ?
       ORDER BY revision DESC LIMIT 1`,
    ),
    insert: db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata,
         command_id, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    streamForwards: select('stream_id = ? AND revision >= ?', 'revision').raw(),
    streamBackwards: select('stream_id = ? AND revision <= ?', 'revision DESC').raw(),
    allForwards: select('position > ?', 'position').raw(),
    allBackwards: select('position < ?', 'position DESC').raw(),
    // Keyset pages over the unique (stream_id, revision) index: a row value seeks, no sort.
    byStream: select(
      '(stream_id, revision) > (?, ?) AND stream_id < ?',
      'stream_id, revision',
    ).raw(),
    streamIds: db
      .prepare<[string, string], string>(
        'SELECT DISTINCT stream_id FROM events WHERE stream_id >= ? AND stream_id < ? ORDER BY stream_id',
      )
      .pluck(),
    streamCount: db
      .prepare<[string, string], number>(
        'SELECT count(DISTINCT stream_id) FROM events WHERE stream_id >= ? AND stream_id < ?',
      )
      .pluck(),
    count: db.prepare<[], number>('SELECT count(*) FROM events').pluck(),
  };
};

/** Position of the event at `revision` of a stream (0 if there is none). */
const positionOf = (sql: EventStatements, streamId: string, revision: number): bigint => {
  const row = sql.streamForwards.all(streamId, revision, 1)[0] as Row | undefined;
  return row === undefined ? 0n : BigInt(row[0]);
};

/**
 * One append, inside the batch's transaction (a savepoint of its own): a command id the stream
 * already holds is a duplicate (nothing appended); otherwise the stream must be at the expected
 * revision, and each event is hashed on the canonical JSON stored, chained to the one before.
 */
export const appendInTransaction = (
  sql: EventStatements,
  { streamId, events, expectedRevision, serialised }: PendingAppend,
): AppendResult => {
  const commandId = events[0]?.metadata.commandId;
  if (commandId !== undefined) {
    const earlier = sql.byCommand.get(streamId, commandId);
    if (earlier !== undefined) {
      return {
        nextRevision: earlier.revision,
        position: BigInt(earlier.position),
        duplicate: true,
      };
    }
  }
  const last = sql.last.get(streamId);
  const actual = last?.revision ?? -1;
  if (!revisionMatches(expectedRevision, actual)) {
    throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
  }
  let previousHash = last?.hash ?? GENESIS_HASH;
  let revision = actual;
  let position = 0n;
  events.forEach((event, i) => {
    revision += 1;
    const eventId = randomUUID();
    const json = serialised[i] as { data: string; metadata: string };
    const hash = canonicalEventHash({
      streamId,
      revision,
      eventId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      canonicalData: json.data,
      canonicalMetadata: json.metadata,
      previousHash,
    });
    const info = sql.insert.run(
      streamId,
      revision,
      eventId,
      event.type,
      event.schemaVersion,
      json.data,
      json.metadata,
      event.metadata.commandId,
      previousHash,
      hash,
    );
    position = BigInt(info.lastInsertRowid);
    previousHash = hash;
  });
  if (events.length === 0) position = positionOf(sql, streamId, actual);
  return { nextRevision: revision, position, duplicate: false };
};
