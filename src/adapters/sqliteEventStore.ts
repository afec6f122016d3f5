import Database from 'better-sqlite3';
import { canonicalJson } from '../application/eventHash.js';
import {
  assertStreamId,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventSubscription,
  type NewEvent,
  type ReadAllOptions,
  type ReadByStreamOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../application/eventStore.js';
import { LiveFeed } from './liveFeed.js';
import { migrate, toRecorded, toRecordedWithJson, type Row } from './sqliteEventRows.js';
import {
  appendInTransaction,
  prepareStatements,
  type EventStatements,
  type PendingAppend,
} from './sqliteEventStatements.js';
import { WalSync } from './sqliteWalSync.js';

export interface SqliteEventStoreOptions {
  /** The database file (created if missing), or `:memory:`. */
  readonly path: string;
  /**
   * `full`: an acknowledged append survives power loss (the WAL is fsynced after each commit,
   * off the main thread, before the append resolves). `normal`: it survives a crash of the
   * process but may be lost on power loss.
   * @defaultValue 'full'
   */
  readonly synchronous?: 'full' | 'normal';
  /**
   * How often a subscriber that has caught up looks for events written by other processes
   * (appends through this instance wake it at once).
   * @defaultValue 200
   */
  readonly pollMs?: number;
  /**
   * How long a commit waits for another process holding the write lock.
   * @defaultValue 5000
   */
  readonly busyTimeoutMs?: number;
}

const PAGE = 1_000;

/**
 * The embedded event store: one SQLite file in WAL mode. A unique (stream, revision) key
 * enforces optimistic concurrency in the database itself; appends made while a commit is
 * being written are grouped into the next transaction (group commit), each in its own
 * savepoint, so one caller's conflict does not fail the others. See docs/event-store.md.
 */
export class SqliteEventStore implements EventStore {
  readonly #db: Database.Database;
  readonly #feed: LiveFeed;
  readonly #queue: PendingAppend[] = [];
  #flushScheduled = false;
  #closed = false;

  /** Syncs the WAL before appends resolve (`synchronous: 'full'` on a file); none otherwise. */
  readonly #wal: WalSync | undefined;

  readonly #sql: EventStatements;
  readonly #appendBatch: Database.Transaction<(batch: PendingAppend[]) => unknown[]>;

  constructor(options: SqliteEventStoreOptions) {
    this.#db = new Database(options.path);
    this.#db.pragma('journal_mode = WAL');
    // `full` durability without blocking the event loop on fsync (sqliteWalSync.ts): SQLite
    // commits with synchronous=NORMAL and the WAL is fdatasynced before the appends of a batch
    // resolve. Readers in this process see an event once it is durable (docs/event-store.md).
    const durable = (options.synchronous ?? 'full') === 'full' && options.path !== ':memory:';
    this.#wal = durable ? new WalSync(`${this.#db.name}-wal`, this.#afterSync) : undefined;
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
    migrate(this.#db);

    this.#sql = prepareStatements(this.#db);

    // A transaction function called inside another runs as a savepoint: a request that throws
    // rolls back alone and the rest of the batch commits.
    const appendOne = this.#db.transaction((request: PendingAppend) =>
      appendInTransaction(this.#sql, request),
    );
    this.#appendBatch = this.#db.transaction((batch: PendingAppend[]) =>
      batch.map((request) => {
        try {
          return appendOne(request);
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    );
    this.#feed = new LiveFeed((after, limit) => {
      const page = this.#page(this.#sql.allForwards, Number(after), limit);
      const cut = this.#wal?.unsyncedFrom;
      return cut === undefined ? page : page.filter((e) => Number(e.position) < cut);
    }, options.pollMs ?? 200);
  }

  append(streamId: string, events: readonly NewEvent[], options: AppendOptions) {
    return new Promise<AppendResult>((resolve, reject) => {
      if (this.#closed) throw new Error('the event store is closed');
      if (this.#wal?.failure !== undefined) throw this.#wal.failure as Error;
      assertStreamId(streamId);
      const serialised = events.map((e) => ({
        data: canonicalJson(e.data),
        metadata: canonicalJson(e.metadata),
      }));
      this.#queue.push({
        streamId,
        events,
        expectedRevision: options.expectedRevision,
        serialised,
        resolve,
        reject,
      });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *readStream(streamId: string, options: ReadStreamOptions = {}) {
    assertStreamId(streamId);
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Infinity;
    let next = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    while (remaining > 0) {
      const limit = Math.min(PAGE, remaining);
      const rows = backwards
        ? this.#sql.streamBackwards.all(streamId, next, limit)
        : this.#sql.streamForwards.all(streamId, next, limit);
      for (const row of rows as Row[]) yield toRecorded(row);
      if (rows.length < limit) return;
      remaining -= rows.length;
      next = (rows.at(-1) as Row)[2] + (backwards ? -1 : 1);
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *readAll(options: ReadAllOptions = {}) {
    const backwards = options.direction === 'backwards';
    const statement = backwards ? this.#sql.allBackwards : this.#sql.allForwards;
    let remaining = options.maxCount ?? Infinity;
    let after = options.after === undefined ? (backwards ? Infinity : 0) : Number(options.after);
    while (remaining > 0) {
      const limit = Math.min(PAGE, remaining);
      const page = this.#page(statement, after, limit);
      yield* page;
      if (page.length < limit) return;
      remaining -= page.length;
      after = Number((page.at(-1) as RecordedEvent).position);
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *readByStream(options: ReadByStreamOptions = {}): AsyncIterable<RecordedEvent> {
    let streamId = options.fromStreamId ?? '';
    let revision = -1;
    // Stream ids are ASCII (STREAM_ID_PATTERN): U+FFFF sorts after every one of them.
    const to = options.toStreamId ?? '\uffff';
    for (;;) {
      const rows = this.#sql.byStream.all(streamId, revision, to, PAGE) as Row[];
      for (const row of rows) yield toRecordedWithJson(row);
      if (rows.length < PAGE) return;
      const last = rows.at(-1) as Row;
      [streamId, revision] = [last[1], last[2]];
    }
  }

  /**
   * Stream ids that cut the store into `parts` ranges holding about as many streams each (for
   * `readByStream` readers working side by side): at most `parts - 1` ids, ascending. With a
   * range, the streams within it only (the ranges before the first split and after the last
   * are then the caller's to bound).
   */
  streamIdSplits(parts: number, range: ReadByStreamOptions = {}): string[] {
    // Stream ids are ASCII (STREAM_ID_PATTERN): U+FFFF sorts after every one of them.
    const bounds = [range.fromStreamId ?? '', range.toStreamId ?? '\uffff'] as const;
    const count = this.#sql.streamCount.get(...bounds) ?? 0;
    const at = new Set<number>();
    for (let k = 1; k < parts; k++) at.add(Math.floor((count * k) / parts));
    at.delete(0);
    const splits: string[] = [];
    let i = 0;
    for (const id of this.#sql.streamIds.iterate(...bounds)) if (at.has(i++)) splits.push(id);
    return splits;
  }

  countEvents(): Promise<number> {
    return Promise.resolve(this.#sql.count.get() ?? 0);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return this.#feed.subscribe(options.after ?? 0n);
  }

  /** The database file. */
  get path(): string {
    return this.#db.name;
  }

  /** What this connection really runs with (for `docket` status output and tests). */
  durability(): { journalMode: string; synchronous: 'full' | 'normal' } {
    return {
      journalMode: this.#db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.#wal !== undefined ? 'full' : 'normal',
    };
  }

  /** Commits what is queued, stops the subscriptions and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    await this.#wal?.close();
    this.#feed.closeAll();
    this.#db.close();
  }

  #page(statement: Database.Statement<[number, number]>, after: number, limit: number) {
    return (statement.all(after, limit) as Row[]).map(toRecorded);
  }

  #flush(): void {
    this.#flushScheduled = false;
    // While the WAL is being synced, requests gather for one transaction after it (group
    // commit, as when the sync blocked): many small commits would each write their pages.
    if (this.#wal?.syncing === true) return;
    const batch = this.#queue.splice(0);
    if (batch.length === 0) return;
    let outcomes: unknown[];
    try {
      outcomes = this.#appendBatch.immediate(batch);
    } catch (error) {
      // BEGIN or COMMIT failed (the file is locked past the busy timeout, the disk is full):
      // nothing of the batch was committed.
      for (const request of batch) request.reject(error);
      return;
    }
    let appended = false;
    batch.forEach((request, i) => {
      const outcome = outcomes[i];
      if (outcome instanceof Error || (outcome as AppendResult).duplicate) return;
      if (request.events.length === 0) return;
      appended = true;
      // One append's events have consecutive positions: nobody else writes inside our transaction.
      const last = Number((outcome as AppendResult).position);
      this.#wal?.committed(last - request.events.length + 1, last);
    });
    // Every outcome waits for the sync, duplicates and refusals too: they may rest on events
    // that are committed but not yet on disk.
    const settle = (error?: unknown) =>
      batch.forEach((request, i) => {
        const outcome = outcomes[i];
        if (error !== undefined) return request.reject(error);
        if (outcome instanceof Error) return request.reject(outcome);
        request.resolve(outcome as AppendResult);
      });
    if (this.#wal === undefined) {
      settle();
      if (appended) this.#feed.notify();
      return;
    }
    this.#wal.settleOnceSynced(settle, batch.length === 1);
  }

  /** After a sync on the thread pool: commit what queued meanwhile, or fail it with the sync. */
  readonly #afterSync = (error?: unknown): void => {
    if (error !== undefined) {
      for (const request of this.#queue.splice(0)) request.reject(error);
      return;
    }
    this.#feed.notify();
    if (this.#queue.length > 0) this.#flush();
    else this.#wal?.sync();
  };
}
