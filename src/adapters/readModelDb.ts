import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
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
  return new Kysely<ReadModelDatabase>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  });
};

/** Prepared statements kept, by SQL text, before the cache starts afresh. */
const STATEMENT_CACHE = 200;

/**
 * Kysely's SQLite driver prepares every query it runs. A projector batch runs the same few
 * statements (500-row upserts of thousands of parameters) over and over, and preparing them
 * was 4 % of a rebuild: keep them, by SQL text. (SQLite re-prepares a kept statement itself
 * after a schema change.) Kysely never streams from these connections, so a statement is never
 * in use twice at once.
 */
const withStatementCache = (database: Database.Database): SqliteDatabase => {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare: (sql) => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        if (statements.size >= STATEMENT_CACHE) statements.clear();
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
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
