/**
 * Entry of the SQLite read-model thread: owns the better-sqlite3 connection of
 * sqliteThreadDialect.ts and runs its messages in order (see sqliteThreadProtocol.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { cachedStatements, openReadModelFile } from './sqliteReadModelFile.js';
import type {
  FromSqliteThread,
  SqliteThreadFailure,
  ToSqliteThread,
} from './sqliteThreadProtocol.js';

const port = parentPort;
if (port === null) throw new Error('sqliteThreadMain runs in a worker thread');
const { path } = workerData as { path: string };

const describe = (error: unknown): SqliteThreadFailure => {
  if (!(error instanceof Error)) return { message: String(error), name: 'Error', code: undefined };
  const code = (error as { code?: unknown }).code;
  return {
    message: error.message,
    name: error.name,
    code: typeof code === 'string' ? code : undefined,
  };
};
const post = (message: FromSqliteThread) => port.postMessage(message);

let database: ReturnType<typeof openReadModelFile> | undefined;
let opening: SqliteThreadFailure | undefined;
try {
  database = openReadModelFile(path);
} catch (error) {
  opening = describe(error);
}
const prepare = database === undefined ? undefined : cachedStatements(database);
/** The first failure of a deferred statement in the open transaction. */
let failure: SqliteThreadFailure | undefined;

const run = (sql: string, params: readonly unknown[]) => {
  const statement = prepare!(sql);
  if (statement.reader) return { rows: statement.all(params) };
  const { changes, lastInsertRowid } = statement.run(params);
  return { rows: [], changes, lastInsertRowid };
};

const endTransaction = (verb: 'commit' | 'rollback') => {
  if (database!.inTransaction) database!.exec(verb);
};

port.on('message', (message: ToSqliteThread) => {
  if (database === undefined) {
    if ('id' in message) post({ id: message.id, ok: false, error: opening! });
    if (message.op === 'close') port.close();
    return;
  }
  switch (message.op) {
    case 'defer':
      if (failure !== undefined) return;
      try {
        run(message.sql, message.params);
      } catch (error) {
        failure = describe(error);
      }
      return;
    case 'begin':
      failure = undefined;
      try {
        database.exec('begin');
      } catch (error) {
        failure = describe(error);
      }
      return;
    case 'run':
      if (failure !== undefined) {
        post({ id: message.id, ok: false, error: failure });
        return;
      }
      try {
        post({ id: message.id, ok: true, ...run(message.sql, message.params) });
      } catch (error) {
        post({ id: message.id, ok: false, error: describe(error) });
      }
      return;
    case 'commit':
    case 'rollback': {
      const failed = failure;
      failure = undefined;
      try {
        endTransaction(failed === undefined ? message.op : 'rollback');
        post(
          failed === undefined || message.op === 'rollback'
            ? { id: message.id, ok: true, rows: [] }
            : { id: message.id, ok: false, error: failed },
        );
      } catch (error) {
        if (database.inTransaction) database.exec('rollback');
        post({ id: message.id, ok: false, error: describe(error) });
      }
      return;
    }
    case 'close':
      database.close();
      post({ id: message.id, ok: true, rows: [] });
      port.close();
      return;
  }
});
