import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import { cachedStatements, openReadModelFile } from './sqliteReadModelFile.js';
import { SqliteThreadDialect } from './sqliteThreadDialect.js';

export type ReadModelDb = Kysely<ReadModelDatabase>;

export interface SqliteReadModelOptions {
  /**
   * Run SQLite in a thread of its own (sqliteThreadDialect.ts), writes of a transaction
   * pipelined: for the projector, which then reads and folds while the last batch is written.
   * @defaultValue false
   */
  readonly thread?: boolean;
}

/** The read models in an SQLite file of their own (sqliteReadModelFile.ts says why and how). */
export const openSqliteReadModels = (
  path: string,
  options: SqliteReadModelOptions = {},
): ReadModelDb => {
  if (options.thread === true)
    return new Kysely<ReadModelDatabase>({ dialect: new SqliteThreadDialect(path) });
  const database = openReadModelFile(path);
  const prepare = cachedStatements(database);
  return new Kysely<ReadModelDatabase>({
    dialect: new SqliteDialect({ database: { close: () => database.close(), prepare } }),
  });
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
