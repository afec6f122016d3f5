import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens the SQLite file of the read models (not the event store's): they are derived and
 * rebuildable, so they are written with synchronous=NORMAL, and reporting tools can open them
 * without touching the log.
 */
export const openReadModelFile = (path: string): Database.Database => {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  return database;
};

/** Prepared statements kept, by SQL text, before the cache starts afresh. */
const STATEMENT_CACHE = 200;

/**
 * Kysely prepares every query it runs. A projector batch runs the same few statements
 * (500-row upserts of thousands of parameters) over and over, and preparing them was 4 % of a
 * rebuild: keep them, by SQL text. (SQLite re-prepares a kept statement itself after a schema
 * change.) Nothing streams from these connections, so a statement is never in use twice at once.
 */
export const cachedStatements = (
  database: Database.Database,
): ((sql: string) => Database.Statement) => {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      if (statements.size >= STATEMENT_CACHE) statements.clear();
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
};
