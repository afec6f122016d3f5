import { randomUUID } from 'node:crypto';
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { canonicalEventHash, canonicalJson } from '../application/eventHash.js';
import {
  assertStreamId,
  GENESIS_HASH,
  revisionMatches,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventSubscription,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadByStreamOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../application/eventStore.js';
import { LiveFeed } from './liveFeed.js';
import { sqliteEventsSchema, SQLITE_EVENTS_SCHEMA_VERSION } from './sqliteEventsSchema.js';

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

/** Rows come back as arrays, in this column order (`stmt.raw()`), which reads fastest. */
const COLUMNS =
  'position, stream_id, revision, event_id, type, schema_version, data, metadata, previous_hash, hash';
type Row = [number, string, number, string, string, number, string, string, string, string];

const PAGE = 1_000;

interface PendingAppend {
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

const toRecorded = (row: Row): RecordedEvent => {
  // The parsed metadata object takes the hashes itself: no copy (this runs for every event read).
  const metadata = JSON.parse(row[7]) as { previousHash: string; hash: string };
  metadata.previousHash = row[8];
  metadata.hash = row[9];
  return {
    position: BigInt(row[0]),
    streamId: row[1],
    revision: row[2],
    eventId: row[3],
    type: row[4],
    schemaVersion: row[5],
    data: JSON.parse(row[6]) as unknown,
    metadata: metadata as RecordedEvent['metadata'],
  };
};

/** As `toRecorded`, with the stored texts (for verifiers); a member added, not a copy. */
const toRecordedWithJson = (row: Row): RecordedEvent => {
  const event: { -readonly [K in keyof RecordedEvent]: RecordedEvent[K] } = toRecorded(row);
  event.storedJson = { data: row[6], metadata: row[7] };
  return event;
};

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

  readonly #durable: boolean;
  readonly #walPath: string | undefined;
  #walFd: number | undefined;
  /** Settles the requests of committed batches once the WAL holding them is on disk. */
  #awaitingSync: Array<(error?: unknown) => void> = [];
  #syncing: Promise<void> | undefined;
  /** Position of the first event this connection committed that is not yet fsynced. */
  #unsyncedFrom: number | undefined;
  #lastCommitted = 0;
  #syncFailure: unknown;

  readonly #last: Database.Statement<[string], { revision: number; hash: string }>;
  readonly #byCommand: Database.Statement<[string, string], { revision: number; position: number }>;
  readonly #insert: Database.Statement<
    [string, number, string, string, number, string, string, string, string, string]
  >;
  readonly #streamForwards: Database.Statement<[string, number, number]>;
  readonly #streamBackwards: Database.Statement<[string, number, number]>;
  readonly #allForwards: Database.Statement<[number, number]>;
  readonly #allBackwards: Database.Statement<[number, number]>;
  readonly #byStream: Database.Statement<[string, number, string, number]>;
  readonly #streamIds: Database.Statement<[], string>;
  readonly #streamCount: Database.Statement<[], number>;
  readonly #count: Database.Statement<[], number>;
  readonly #appendBatch: Database.Transaction<(batch: PendingAppend[]) => unknown[]>;

  constructor(options: SqliteEventStoreOptions) {
    this.#db = new Database(options.path);
    this.#db.pragma('journal_mode = WAL');
    // `full` durability without blocking the event loop on fsync: SQLite commits with
    // synchronous=NORMAL (no fsync per commit in WAL mode; the WAL is still synced around
    // checkpoints) and this class fdatasyncs the WAL on libuv's thread pool before it resolves
    // the appends of the batch; one sync covers every batch committed before it started.
    // Readers in this process see an event once it is durable (docs/event-store.md).
    this.#durable = (options.synchronous ?? 'full') === 'full' && options.path !== ':memory:';
    this.#walPath = this.#durable ? `${this.#db.name}-wal` : undefined;
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
    migrate(this.#db);

    this.#last = this.#db.prepare(
      'SELECT revision, hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    );
    this.#byCommand = this.#db.prepare(
      `SELECT revision, position FROM events WHERE stream_id = ? AND command_id = ?
       ORDER BY revision DESC LIMIT 1`,
    );
    this.#insert = this.#db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata,
         command_id, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const select = (where: string, order: string) =>
      this.#db.prepare(`SELECT ${COLUMNS} FROM events WHERE ${where} ORDER BY ${order} LIMIT ?`);
    this.#streamForwards = select('stream_id = ? AND revision >= ?', 'revision').raw();
    this.#streamBackwards = select('stream_id = ? AND revision <= ?', 'revision DESC').raw();
    this.#allForwards = select('position > ?', 'position').raw();
    this.#allBackwards = select('position < ?', 'position DESC').raw();
    // Keyset pages over the unique (stream_id, revision) index: a row value seeks, no sort.
    this.#byStream = select(
      '(stream_id, revision) > (?, ?) AND stream_id < ?',
      'stream_id, revision',
    ).raw();
    this.#streamIds = this.#db
      .prepare<[], string>('SELECT DISTINCT stream_id FROM events ORDER BY stream_id')
      .pluck();
    this.#streamCount = this.#db
      .prepare<[], number>('SELECT count(DISTINCT stream_id) FROM events')
      .pluck();
    this.#count = this.#db.prepare<[], number>('SELECT count(*) FROM events').pluck();

    // A transaction function called inside another runs as a savepoint: a request that throws
    // rolls back alone and the rest of the batch commits.
    const appendOne = this.#db.transaction((request: PendingAppend) => this.#appendOne(request));
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
      const page = this.#page(this.#allForwards, Number(after), limit);
      const cut = this.#unsyncedFrom;
      return cut === undefined ? page : page.filter((e) => Number(e.position) < cut);
    }, options.pollMs ?? 200);
  }

  append(streamId: string, events: readonly NewEvent[], options: AppendOptions) {
    return new Promise<AppendResult>((resolve, reject) => {
      if (this.#closed) throw new Error('the event store is closed');
      if (this.#syncFailure !== undefined) throw this.#syncFailure as Error;
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
        ? this.#streamBackwards.all(streamId, next, limit)
        : this.#streamForwards.all(streamId, next, limit);
      for (const row of rows as Row[]) yield toRecorded(row);
      if (rows.length < limit) return;
      remaining -= rows.length;
      next = (rows.at(-1) as Row)[2] + (backwards ? -1 : 1);
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *readAll(options: ReadAllOptions = {}) {
    const backwards = options.direction === 'backwards';
    const statement = backwards ? this.#allBackwards : this.#allForwards;
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
      const rows = this.#byStream.all(streamId, revision, to, PAGE) as Row[];
      for (const row of rows) yield toRecordedWithJson(row);
      if (rows.length < PAGE) return;
      const last = rows.at(-1) as Row;
      [streamId, revision] = [last[1], last[2]];
    }
  }

  /**
   * Stream ids that cut the store into `parts` ranges holding about as many streams each (for
   * `readByStream` readers working side by side): at most `parts - 1` ids, ascending.
   */
  streamIdSplits(parts: number): string[] {
    const count = this.#streamCount.get() ?? 0;
    const at = new Set<number>();
    for (let k = 1; k < parts; k++) at.add(Math.floor((count * k) / parts));
    at.delete(0);
    const splits: string[] = [];
    let i = 0;
    for (const id of this.#streamIds.iterate()) if (at.has(i++)) splits.push(id);
    return splits;
  }

  countEvents(): Promise<number> {
    return Promise.resolve(this.#count.get() ?? 0);
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
      synchronous: this.#durable ? 'full' : 'normal',
    };
  }

  /** Commits what is queued, stops the subscriptions and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    while (this.#syncing !== undefined) await this.#syncing;
    this.#feed.closeAll();
    this.#db.close();
    if (this.#walFd !== undefined) closeSync(this.#walFd);
  }

  #page(statement: Database.Statement<[number, number]>, after: number, limit: number) {
    return (statement.all(after, limit) as Row[]).map(toRecorded);
  }

  #flush(): void {
    this.#flushScheduled = false;
    // While the WAL is being synced, requests gather for one transaction after it (group
    // commit, as when the sync blocked): many small commits would each write their pages.
    if (this.#syncing !== undefined) return;
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
      // Only a store that fsyncs holds readers back from what is not on disk yet.
      if (!this.#durable) return;
      // One append's events have consecutive positions: nobody else writes inside our transaction.
      const last = Number((outcome as AppendResult).position);
      const first = last - request.events.length + 1;
      this.#unsyncedFrom = Math.min(this.#unsyncedFrom ?? first, first);
      this.#lastCommitted = Math.max(this.#lastCommitted, last);
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
    if (!this.#durable) {
      settle();
      if (appended) this.#feed.notify();
      return;
    }
    this.#awaitingSync.push(settle);
    // A lone request with no sync running: nobody else is waiting, and syncing here saves the
    // hop to the thread pool (~15 % of a single caller's rate on this VM).
    if (batch.length === 1 && this.#syncing === undefined) this.#syncInline();
    else this.#sync();
  }

  #syncInline(): void {
    const settles = this.#awaitingSync.splice(0);
    try {
      fdatasyncSync(this.#wal());
    } catch (error) {
      this.#syncFailure = error;
      for (const settle of settles) settle(error);
      return;
    }
    this.#unsyncedFrom = undefined;
    for (const settle of settles) settle();
    this.#feed.notify();
  }

  #wal(): number {
    this.#walFd ??= openSync(this.#walPath as string, 'r');
    return this.#walFd;
  }

  /** Starts an fdatasync of the WAL unless one is running; it settles what was committed before it. */
  #sync(): void {
    if (this.#syncing !== undefined || this.#awaitingSync.length === 0) return;
    const settles = this.#awaitingSync;
    this.#awaitingSync = [];
    const coveredUpTo = this.#lastCommitted;
    const fd = this.#wal();
    this.#syncing = new Promise<void>((done) => {
      fdatasync(fd, (error) => {
        this.#syncing = undefined;
        if (error) {
          // The kernel may have dropped the pages: nothing written since can be trusted.
          this.#syncFailure = error;
          for (const settle of settles) settle(error);
          for (const settle of this.#awaitingSync.splice(0)) settle(error);
          for (const request of this.#queue.splice(0)) request.reject(error);
        } else {
          // Later commits (positions above coveredUpTo) wait for the next sync.
          this.#unsyncedFrom = this.#lastCommitted <= coveredUpTo ? undefined : coveredUpTo + 1;
          for (const settle of settles) settle();
          this.#feed.notify();
          if (this.#queue.length > 0) this.#flush();
          else this.#sync();
        }
        done();
      });
    });
  }

  #appendOne({ streamId, events, expectedRevision, serialised }: PendingAppend): AppendResult {
    const commandId = events[0]?.metadata.commandId;
    if (commandId !== undefined) {
      const earlier = this.#byCommand.get(streamId, commandId);
      if (earlier !== undefined) {
        return {
          nextRevision: earlier.revision,
          position: BigInt(earlier.position),
          duplicate: true,
        };
      }
    }
    const last = this.#last.get(streamId);
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
      const info = this.#insert.run(
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
    if (events.length === 0) position = this.#positionOf(streamId, actual);
    return { nextRevision: revision, position, duplicate: false };
  }

  #positionOf(streamId: string, revision: number): bigint {
    const row = this.#streamForwards.all(streamId, revision, 1)[0] as Row | undefined;
    return row === undefined ? 0n : BigInt(row[0]);
  }
}

const migrate = (db: Database.Database): void => {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SQLITE_EVENTS_SCHEMA_VERSION) {
    throw new Error(
      `${db.name}: event store schema version ${version} is newer than this Docket knows (${SQLITE_EVENTS_SCHEMA_VERSION}); upgrade Docket`,
    );
  }
  if (version < SQLITE_EVENTS_SCHEMA_VERSION) {
    db.transaction(() => {
      db.exec(sqliteEventsSchema);
      db.pragma(`user_version = ${SQLITE_EVENTS_SCHEMA_VERSION}`);
    }).immediate();
  }
};
