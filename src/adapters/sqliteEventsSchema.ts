/**
 * The SQLite event store's table (docs/event-store.md). `position` is the global order
 * (AUTOINCREMENT: never reused, so a checkpoint never points at a different event);
 * (stream_id, revision) is unique, so two writers can never both take one revision.
 * The hashes have their own columns so that an auditor can verify them with plain SQL.
 */
export const SQLITE_EVENTS_SCHEMA_VERSION = 1;

export const sqliteEventsSchema = `
CREATE TABLE IF NOT EXISTS events (
  position       INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id      TEXT    NOT NULL,
  revision       INTEGER NOT NULL,
  event_id       TEXT    NOT NULL,
  type           TEXT    NOT NULL,
  schema_version INTEGER NOT NULL,
  data           TEXT    NOT NULL,
  metadata       TEXT    NOT NULL,
  command_id     TEXT    NOT NULL,
  previous_hash  TEXT    NOT NULL,
  hash           TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_by_command ON events (stream_id, command_id, revision);
`;
