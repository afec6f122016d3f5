import type { Worker } from 'node:worker_threads';
import {
  DeleteQueryNode,
  InsertQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  UpdateQueryNode,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type RootOperationNode,
} from 'kysely';
import { DocketFault, FaultCode, isFault } from '../domain/docketError.js';
import { startWorker } from './startWorker.js';
import type {
  FromSqliteThread,
  SqliteThreadFailure,
  ToSqliteThread,
} from './sqliteThreadProtocol.js';

/** The thread ended, or failed to start, while a statement waited for it (`sqlite-thread`). */
export class SqliteThreadError extends DocketFault {
  constructor(message: string, options?: ErrorOptions) {
    super(FaultCode.sqliteThread, message, options);
    this.name = 'SqliteThreadError';
  }
}

/** An error of the thread's SQLite, with its `code` (`SQLITE_CONSTRAINT_PRIMARYKEY`, …). */
const toError = (failure: SqliteThreadFailure): Error =>
  Object.assign(new Error(failure.message), {
    name: failure.name,
    ...(failure.code === undefined ? {} : { code: failure.code }),
  });

/** INSERT, UPDATE and DELETE without RETURNING: nothing to answer but success. */
const isPlainWrite = (node: RootOperationNode): boolean =>
  (InsertQueryNode.is(node) || UpdateQueryNode.is(node) || DeleteQueryNode.is(node)) &&
  node.returning === undefined;

/**
 * The one connection to the thread. Inside a transaction, plain writes are sent without
 * waiting for them (pipelined): the caller goes on — folding the next events, reading the log
 * — while the thread writes, and a failed write fails the next read of that transaction and
 * its commit, which then rolls back. So a write inside a transaction reports no affected-row
 * count; outside one, every statement is answered.
 */
class SqliteThreadConnection implements DatabaseConnection {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve: (m: FromSqliteThread) => void; reject: (e: Error) => void }
  >();
  #nextId = 0;
  #inTransaction = false;
  #ended: Error | undefined;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.unref();
    worker.on('message', (message: FromSqliteThread) => {
      const waiting = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (this.#pending.size === 0) worker.unref();
      waiting?.resolve(message);
    });
    worker.on('error', (error) => this.#end(error));
    worker.on('exit', (code) =>
      this.#end(new SqliteThreadError(`the SQLite thread exited (${code})`)),
    );
  }

  #end(error: Error): void {
    this.#ended ??= isFault(error, FaultCode.sqliteThread)
      ? error
      : new SqliteThreadError(`the SQLite thread failed: ${error.message}`, { cause: error });
    for (const waiting of this.#pending.values()) waiting.reject(this.#ended);
    this.#pending.clear();
  }

  #send(message: ToSqliteThread): void {
    if (this.#ended !== undefined) throw this.#ended;
    this.#worker.postMessage(message);
  }

  /** Sends a message that is answered; resolves with the rows, rejects with the thread's error. */
  async request(
    message: ToSqliteThread & { id: number },
  ): Promise<FromSqliteThread & { ok: true }> {
    if (this.#ended !== undefined) throw this.#ended;
    const answer = new Promise<FromSqliteThread>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(message.id, { resolve, reject });
    });
    this.#send(message);
    const result = await answer;
    if (!result.ok) throw toError(result.error);
    return result;
  }

  id(): number {
    return this.#nextId++;
  }

  begin(): void {
    this.#send({ op: 'begin' });
    this.#inTransaction = true;
  }

  async end(op: 'commit' | 'rollback'): Promise<void> {
    this.#inTransaction = false;
    await this.request({ op, id: this.id() });
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const params = compiled.parameters; // copied by postMessage
    if (this.#inTransaction && isPlainWrite(compiled.query)) {
      this.#send({ op: 'defer', sql: compiled.sql, params });
      return { rows: [] };
    }
    const result = await this.request({ op: 'run', id: this.id(), sql: compiled.sql, params });
    return {
      rows: result.rows as R[],
      ...(result.changes === undefined ? {} : { numAffectedRows: BigInt(result.changes) }),
      ...(result.lastInsertRowid === undefined ? {} : { insertId: BigInt(result.lastInsertRowid) }),
    };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new SqliteThreadError('streaming is not supported by the SQLite thread dialect');
  }
}

class SqliteThreadDriver implements Driver {
  readonly #path: string;
  #connection: SqliteThreadConnection | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  async init(): Promise<void> {
    this.#connection = new SqliteThreadConnection(
      startWorker(import.meta.url, 'sqliteThreadMain', { path: this.#path }),
    );
    // The first answer says the file opened (or why it did not).
    await this.#connection.request({
      op: 'run',
      id: this.#connection.id(),
      sql: 'select 1',
      params: [],
    });
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(this.#connection!);
  }

  beginTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as SqliteThreadConnection).begin();
    return Promise.resolve();
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as SqliteThreadConnection).end('commit');
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as SqliteThreadConnection).end('rollback');
  }

  releaseConnection(): Promise<void> {
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.request({ op: 'close', id: connection.id() }).catch(() => undefined);
  }
}

/**
 * Kysely's SQLite dialect with the database in a thread of its own: the SQL (SQLite's own
 * work) runs beside the caller instead of in its turn. For the projector, which reads and
 * folds the next events while the thread writes the last batch (bench/projections.bench.ts).
 */
export class SqliteThreadDialect implements Dialect {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  createDriver(): Driver {
    return new SqliteThreadDriver(this.#path);
  }

  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }

  createAdapter() {
    return new SqliteAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own signature
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}
