import { sql, type Kysely } from 'kysely';
import type { Projection, ProjectionContext } from '../../projections/projection.js';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import type { Clock } from '../domain/clock.js';
import { formatInstant } from '../domain/instant.js';
import type { EventStore, EventSubscription, RecordedEvent } from './eventStore.js';

export interface ProjectorOptions {
  readonly store: EventStore;
  readonly db: Kysely<ReadModelDatabase>;
  readonly projections: readonly Projection[];
  readonly context: ProjectionContext;
  readonly clock: Clock;
  /**
   * Events applied per transaction, at most: large batches make rebuilds about twice as fast
   * (bench/projections.bench.ts); live batches are small anyway (`batchMs`).
   * @defaultValue 50000
   */
  readonly batchSize?: number;
  /** How long an event may wait for others to join its batch. @defaultValue 20 */
  readonly batchMs?: number;
  /** PostgreSQL: lock checkpoint rows while a batch is applied (SQLite has one writer). */
  readonly lockCheckpoints?: boolean;
  readonly onError?: (error: unknown) => void;
  /** Called after each committed batch (metrics: lag from append to visible row). */
  readonly onApplied?: (events: readonly RecordedEvent[]) => void;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  /** Log position applied up to (-1: nothing yet). */
  readonly position: number;
  readonly updatedAt: string | null;
}

/** Events read between two turns of the event loop while a batch is being written. */
const YIELD_EVERY = 500;

/** A checkpoint that went backwards: another process rebuilt the projection. */
class CheckpointReset extends Error {}

/**
 * Runs projections: a catch-up subscription from the lowest checkpoint; each batch of events is
 * applied, per projection, only past the checkpoint stored in the database, and the checkpoint
 * moves in the same transaction. So every event is applied exactly once, across crashes and
 * across several projector processes; a projection whose version changed is dropped and
 * rebuilt from position 0.
 */
export class Projector {
  readonly #o: ProjectorOptions;
  readonly #positions = new Map<string, number>();
  #subscription: EventSubscription | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #batch: RecordedEvent[] = [];
  /** The position the pending batch continues from, and the last event queued. */
  #batchAfter = -1;
  #queuedUpTo = -1;
  #timer: NodeJS.Timeout | undefined;
  /** The read loop is giving the event loop a turn, with more events at hand. */
  #midRead = false;
  #flushing: Promise<void> = Promise.resolve();
  #waiters: Array<{ position: number; resolve: () => void }> = [];
  #failure: unknown;

  constructor(options: ProjectorOptions) {
    this.#o = options;
  }

  /** Creates missing tables; drops and recreates those whose projection version changed. */
  async prepare(): Promise<void> {
    await this.#o.db.transaction().execute(async (db) => {
      if (this.#o.lockCheckpoints === true)
        await sql`select pg_advisory_xact_lock(hashtext('docket-projections'))`.execute(db);
      await this.#prepare(db);
    });
  }

  async #prepare(db: Kysely<ReadModelDatabase>): Promise<void> {
    await db.schema
      .createTable('projection_checkpoints')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey().notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    for (const p of this.#o.projections) {
      const row = await db
        .selectFrom('projection_checkpoints')
        .selectAll()
        .where('name', '=', p.name)
        .executeTakeFirst();
      if (row?.version === p.version) await p.create(db);
      else await this.#reset(p, db);
    }
  }

  /** Prepares, then follows the log until closed. */
  async start(): Promise<void> {
    await this.prepare();
    await this.#loadPositions();
    this.#running = this.#run();
  }

  async #loadPositions(): Promise<void> {
    for (const s of await this.status()) this.#positions.set(s.name, s.position);
    this.#release();
  }

  #release(): void {
    const lowest = this.#lowest();
    this.#waiters = this.#waiters.filter((w) =>
      w.position <= lowest ? (w.resolve(), false) : true,
    );
  }

  /** Resolves once every projection has applied the log up to `position`. */
  async caughtUp(position: bigint | number): Promise<void> {
    const target = Number(position);
    if (this.#lowest() >= target) return;
    await new Promise<void>((resolve) => this.#waiters.push({ position: target, resolve }));
  }

  async status(): Promise<ProjectionStatus[]> {
    const rows = await this.#o.db.selectFrom('projection_checkpoints').selectAll().execute();
    return this.#o.projections.map((p) => {
      const row = rows.find((r) => r.name === p.name);
      return {
        name: p.name,
        version: p.version,
        position: row?.version === p.version ? Number(row.position) : -1,
        updatedAt: row?.updated_at ?? null,
      };
    });
  }

  /** Empties the named projections (all if none): the running projector replays them from 0. */
  async rebuild(names: readonly string[] = []): Promise<void> {
    const chosen = this.#o.projections.filter((p) => names.length === 0 || names.includes(p.name));
    for (const p of chosen) await this.#reset(p, this.#o.db);
    this.#positions.clear();
    await this.#subscription?.close(); // the run loop resubscribes from the new checkpoints
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#subscription?.close();
    await this.#running;
    await this.#flush();
  }

  async #reset(p: Projection, db: Kysely<ReadModelDatabase>): Promise<void> {
    await p.drop(db);
    await p.create(db);
    const row = { name: p.name, version: p.version, position: -1, updated_at: this.#now() };
    await db
      .insertInto('projection_checkpoints')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ version: p.version, position: -1, updated_at: row.updated_at }),
      )
      .execute();
    this.#positions.set(p.name, -1);
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      await this.#loadPositions();
      const from = this.#lowest();
      const subscription = this.#o.store.subscribe(from < 0 ? {} : { after: BigInt(from) });
      this.#subscription = subscription;
      if (this.#closed) {
        await subscription.close();
        break;
      }
      this.#queuedUpTo = from;
      this.#batchAfter = from;
      try {
        for await (const event of subscription) {
          this.#batch.push(event);
          this.#queuedUpTo = Number(event.position);
          if (this.#batch.length >= (this.#o.batchSize ?? 50_000))
            await this.#flushAhead(subscription);
          else {
            this.#timer ??= this.#batchTimer(subscription);
            if (this.#batch.length % YIELD_EVERY === 0) await this.#yieldMidRead();
          }
        }
        await this.#flush();
      } catch (error) {
        this.#failure ??= error;
      }
      const failure = this.#failure;
      this.#failure = undefined;
      if (failure === undefined) continue;
      // Start again from the checkpoints in the database: nothing of the failed batch was kept.
      await subscription.close();
      this.#batch = [];
      if (!(failure instanceof CheckpointReset)) {
        this.#o.onError?.(failure);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /**
   * Flushes the batch `batchMs` after its first event, unless the log is still being read
   * (catching up): then batches fill up to `batchSize`.
   */
  #batchTimer(subscription: EventSubscription): NodeJS.Timeout {
    return setTimeout(() => {
      this.#timer = this.#midRead ? this.#batchTimer(subscription) : undefined;
      if (this.#timer === undefined) this.#flushLater(subscription);
    }, this.#o.batchMs ?? 20);
  }

  /**
   * A store that reads ahead hands over its events in microtasks only: a turn of the event
   * loop now and then lets the batch being written take its answers from the database.
   */
  async #yieldMidRead(): Promise<void> {
    this.#midRead = true;
    await new Promise(setImmediate);
    this.#midRead = false;
  }

  /** A flush the batch timer started: a failure ends the subscription, and the loop restarts. */
  #flushLater(subscription: EventSubscription): void {
    this.#flush().catch((error: unknown) => {
      this.#failure ??= error;
      void subscription.close();
    });
  }

  /**
   * A full batch: starts applying it and waits only for the batch before it, so the next
   * events are read while this one is written (two batches in memory at most). A failure ends
   * the subscription as in `#flushLater`; the batches after it find their checkpoint behind.
   */
  async #flushAhead(subscription: EventSubscription): Promise<void> {
    const previous = this.#flushing;
    this.#flushLater(subscription);
    await previous;
  }

  #flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const events = this.#batch;
    const after = this.#batchAfter;
    this.#batch = [];
    this.#batchAfter = this.#queuedUpTo;
    if (events.length === 0) return this.#flushing;
    const run = this.#flushing.then(() => this.#apply(events, after));
    this.#flushing = run.catch(() => undefined);
    return run;
  }

  async #apply(events: readonly RecordedEvent[], after: number): Promise<void> {
    const last = Number(events[events.length - 1]!.position);
    const now = this.#now();
    await this.#o.db.transaction().execute(async (trx) => {
      const names = this.#o.projections.map((p) => p.name);
      let query = trx
        .selectFrom('projection_checkpoints')
        .select(['name', 'position'])
        .where('name', 'in', names)
        .orderBy('name');
      if (this.#o.lockCheckpoints === true) query = query.forUpdate();
      const stored = new Map((await query.execute()).map((r) => [r.name, Number(r.position)]));
      const work = this.#o.projections.map((p) => {
        const from = stored.get(p.name) ?? -1;
        // Events between the checkpoint and this batch were not applied (an earlier batch
        // failed, or the projection was rebuilt): start again from the checkpoints.
        if (from < after) throw new CheckpointReset(p.name);
        return { p, fresh: events.filter((e) => Number(e.position) > from) };
      });
      // Side by side: one projection's reads need not wait for the other's writes. Every one
      // settles before the transaction ends, so none writes after a rollback.
      const applied = await Promise.allSettled(
        work.map(async ({ p, fresh }) => {
          if (fresh.length === 0) return;
          await p.apply(trx, fresh, this.#o.context);
          await trx
            .updateTable('projection_checkpoints')
            .set({ position: last, updated_at: now })
            .where('name', '=', p.name)
            .execute();
        }),
      );
      for (const outcome of applied) if (outcome.status === 'rejected') throw outcome.reason;
    });
    for (const p of this.#o.projections) {
      this.#positions.set(p.name, Math.max(last, this.#positions.get(p.name) ?? -1));
    }
    this.#o.onApplied?.(events);
    this.#release();
  }

  #lowest(): number {
    const positions = this.#o.projections.map((p) => this.#positions.get(p.name) ?? -1);
    return positions.length === 0 ? Number.MAX_SAFE_INTEGER : Math.min(...positions);
  }

  #now(): string {
    return formatInstant(this.#o.clock.now());
  }
}
