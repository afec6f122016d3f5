import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';

export type ReadModelDb = Kysely<ReadModelDatabase>;

/**
 * The read models in an SQLite file of their own (not the event store's): they are derived
 * and rebuildable, so they are written with synchronous=NORMAL, and reporting tools can open
 * them without touching the log.
 */
export const openSqliteReadModels = (path: string): ReadModelDb => {
  mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  return new Kysely<ReadModelDatabase>({ dialect: new SqliteDialect({ database }) });
};

// int8 columns (millisecond durations, positions) as numbers, not strings: every value we
// store fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** The read models in PostgreSQL (`DATABASE_URL`), optionally in a schema of their own. */
export const openPostgresReadModels = (url: string, schema?: string): ReadModelDb => {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  return new Kysely<ReadModelDatabase>({ dialect: new PostgresDialect({ pool }) });
};
