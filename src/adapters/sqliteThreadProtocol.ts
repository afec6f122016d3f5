/**
 * Messages between the SQLite read-model thread (sqliteThreadMain.ts) and the Kysely dialect
 * that drives it (sqliteThreadDialect.ts). Messages are handled in the order they are sent.
 */
export type ToSqliteThread =
  /** Run a statement and answer with its rows or its error. */
  | {
      readonly op: 'run';
      readonly id: number;
      readonly sql: string;
      readonly params: readonly unknown[];
    }
  /**
   * Run a statement of the open transaction without answering: a failure is kept and fails
   * every later `run` and the `commit` of that transaction.
   */
  | { readonly op: 'defer'; readonly sql: string; readonly params: readonly unknown[] }
  | { readonly op: 'begin' }
  /** Commit (or, after a deferred failure, roll back and answer with that failure). */
  | { readonly op: 'commit'; readonly id: number }
  | { readonly op: 'rollback'; readonly id: number }
  | { readonly op: 'close'; readonly id: number };

export interface SqliteThreadFailure {
  readonly message: string;
  readonly name: string;
  readonly code: string | undefined;
}

export type FromSqliteThread =
  | {
      readonly id: number;
      readonly ok: true;
      readonly rows: unknown[];
      readonly changes?: number;
      readonly lastInsertRowid?: number | bigint;
    }
  | { readonly id: number; readonly ok: false; readonly error: SqliteThreadFailure };
