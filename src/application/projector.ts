/*
 * Over 300 lines, on purpose: the projector is one pipeline (subscribe → fold as it reads →
 * take a batch → write it while the next is read → watch the checkpoints when idle) whose
 * steps share the run's state and timers. What stands alone is elsewhere: the folds of a run
 * (projectorFolds.ts) and the checkpoint store (projectionCheckpoints.ts, its adapter).
 */
import type { Projection, ProjectionContext } from '../../projections/projection.js';
import type { ProjectionPosition } from '../../projections/projectionPositions.js';
import type { Clock } from '../domain/clock.js';
import { FaultCode, isFault } from '../domain/docketError.js';
import { formatInstant } from '../domain/instant.js';
import type { EventStore, EventSubscription, RecordedEvent } from './eventStore.js';
import { logHead } from './logHead.js';
import { checkpointMoved, type ProjectionCheckpoints } from './projectionCheckpoints.js';
import { RunFolds, type Batch } from './projectorFolds.js';

export interface ProjectorOptions {
  readonly store: EventStore;
  /** Where the projections' checkpoints are kept, beside their rows. */
  readonly checkpoints: ProjectionCheckpoints;
  readonly projections: readonly Projection[];
  readonly context: ProjectionContext;
  readonly clock: Clock;
  /**
   * Events applied per transaction, at most: in a large batch each case is written once for
   * many events, which makes rebuilds fast (bench/projections.bench.ts); events are folded as
   * they are read, so the batch size does not bound memory, the cases in a batch do. Live
   * batches are small anyway (`batchMs`).
   * @defaultValue 50000
   */
  readonly batchSize?: number;
  /** How long an event may wait for others to join its batch. @defaultValue 20 */
  readonly batchMs?: number;
  /**
   * How often an idle projector checks that its checkpoints are where it left them (another
   * process may have rebuilt a projection): `checkCheckpoints`. @defaultValue 500
   */
  readonly watchMs?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * Told when a projection starts again from an earlier position than the one it had reached:
   * its version changed (emptied by `prepare`), or its checkpoint was moved back elsewhere (a
   * `docket projections rebuild`, another projector). The service logs it.
   */
  readonly onCheckpointReset?: (reset: CheckpointReset) => void;
  /** Called after each committed batch (metrics: lag from append to visible row). */
  readonly onApplied?: (batch: AppliedBatch) => void;
}

/** A projection starting again from an earlier position (`onCheckpointReset`). */
export interface CheckpointReset {
  readonly projection: string;
  /** The position it had reached (-1: none). */
  readonly from: number;
  /** Where it starts again (-1: the beginning of the log). */
  readonly to: number;
  readonly reason: 'version-changed' | 'moved-elsewhere';
}

/** A batch the projector has applied (`onApplied`). */
export interface AppliedBatch {
  /** Events read in the batch (some may have been at or before a checkpoint already). */
  readonly events: number;
  readonly firstPosition: bigint;
  readonly lastPosition: bigint;
  /** Each event's `occurredAt`, in log order: kept only when `onApplied` is set. */
  readonly occurredAt: readonly string[];
}

/** A subscription without pages, as pages of one event. */
const oneByOne = async function* (events: AsyncIterable<RecordedEvent>) {
  for await (const event of events) yield [event];
};

/** Events read between two turns of the event loop while a batch is being written. */
const YIELD_EVERY = 500;

/**
 * Runs projections: a catch-up subscription from the lowest checkpoint; each event past a
 * projection's checkpoint is folded as it is read, and each batch is written in one
 * transaction that also moves the checkpoints — only if they are where this projector left
 * them, else it starts again from the checkpoints in the database. So every event is applied
 * exactly once, across crashes and across several projector processes; a projection whose
 * version changed is dropped and rebuilt from position 0. A batch is written while the next
 * is read. While idle it checks its checkpoints every `watchMs`, so that a reset made by another
 * process (a rebuild, even one that died) is replayed without waiting for the next event.
 */
export class Projector {
  readonly #o: ProjectorOptions;
  readonly #positions = new Map<string, number>();
  #subscription: EventSubscription | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  /** The current run's folds (none before the first run). */
  #folds: RunFolds | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The read loop is giving the event loop a turn, with more events at hand. */
  #midRead = false;
  #flushing: Promise<void> = Promise.resolve();
  #waiters: Array<{ position: number; resolve: () => void }> = [];
  #failure: unknown;
  /** A run is following the log (its folds are the current ones). */
  #live = false;
  /** Moves with every event read and every run: an idle check compares it before and after. */
  #generation = 0;
  /** Batches taken and not settled yet. */
  #writing = 0;
  #checking = false;
  #watch: NodeJS.Timeout | undefined;

  constructor(options: ProjectorOptions) {
    this.#o = options;
  }

  /** Creates missing tables; drops and recreates those whose projection version changed. */
  async prepare(): Promise<void> {
    const reset = await this.#o.checkpoints.prepare(this.#o.projections, this.#head, this.#now());
    for (const { name, versionChanged } of reset) {
      if (versionChanged)
        this.#o.onCheckpointReset?.({
          projection: name,
          from: this.#positions.get(name) ?? -1,
          to: -1,
          reason: 'version-changed',
        });
      this.#positions.set(name, -1);
    }
  }

  /** Prepares, then follows the log (and watches its checkpoints) until closed. */
  async start(): Promise<void> {
    await this.prepare();
    await this.#loadPositions();
    this.#running = this.#run();
    this.#watch = setInterval(() => void this.checkCheckpoints(), this.#o.watchMs ?? 500);
    this.#watch.unref();
  }

  async #loadPositions(): Promise<void> {
    for (const s of await this.status()) {
      const from = this.#positions.get(s.name);
      if (from !== undefined && s.position < from)
        this.#o.onCheckpointReset?.({
          projection: s.name,
          from,
          to: s.position,
          reason: 'moved-elsewhere',
        });
      this.#positions.set(s.name, s.position);
    }
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

  status(): Promise<ProjectionPosition[]> {
    return this.#o.checkpoints.positions(this.#o.projections);
  }

  /**
   * Empties the named projections (all if none) and marks them rebuilding up to the log's head,
   * in one transaction: the running projector, and any other, replays them from 0.
   */
  async rebuild(names: readonly string[] = []): Promise<void> {
    const chosen = this.#o.projections.filter((p) => names.length === 0 || names.includes(p.name));
    await this.#o.checkpoints.reset(chosen, this.#head, this.#now());
    this.#positions.clear();
    await this.#subscription?.close(); // the run loop resubscribes from the new checkpoints
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watch);
    await this.#subscription?.close();
    await this.#running;
    await this.#flush();
  }

  /**
   * Starts again from the checkpoints in the database if, while this projector is idle, they are
   * not where it left them: another process rebuilt a projection (a `docket projections rebuild`
   * that may have died since) or applied events. Without it an idle projector would only find
   * out when the next event's batch is written. Runs every `watchMs`; true if it started again.
   */
  async checkCheckpoints(): Promise<boolean> {
    const idle = this.#idle();
    if (idle === undefined || this.#checking) return false;
    this.#checking = true;
    try {
      const stored = await this.status();
      if (this.#idle() !== idle) return false; // events came meanwhile: their batch checks
      const elsewhere = this.#folds?.moved(stored);
      if (elsewhere === undefined) return false;
      this.#failure ??= checkpointMoved(elsewhere);
      await this.#subscription?.close();
      return true;
    } catch {
      return false; // the database fails the next batch too, which reports it
    } finally {
      this.#checking = false;
    }
  }

  /** The generation while no event waits for its batch and no batch is being written. */
  #idle(): number | undefined {
    return this.#live && this.#folds?.pending === 0 && this.#writing === 0
      ? this.#generation
      : undefined;
  }

  /** The log's head, where a rebuild that begins now ends (null: the log is empty). */
  readonly #head = async (): Promise<number | null> => {
    const head = await logHead(this.#o.store);
    return head === undefined ? null : Number(head);
  };

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
      const folds = new RunFolds(
        this.#o.projections,
        this.#o.context,
        this.#positions,
        this.#o.onApplied !== undefined,
      );
      this.#folds = folds;
      this.#generation++;
      this.#live = true;
      const batchSize = this.#o.batchSize ?? 50_000;
      try {
        for await (const page of subscription.pages?.() ?? oneByOne(subscription)) {
          for (const event of page) {
            this.#generation++;
            folds.add(event);
            if (folds.pending >= batchSize) await this.#flushAhead();
            else {
              this.#timer ??= this.#batchTimer();
              if (folds.pending % YIELD_EVERY === 0) await this.#yieldMidRead();
            }
          }
        }
        await this.#flush();
      } catch (error) {
        this.#failure ??= error;
      }
      this.#live = false;
      await this.#flushing; // every batch of this run settled
      const failure = this.#failure;
      this.#failure = undefined;
      if (failure === undefined) continue;
      // Start again from the checkpoints in the database, with new folds: nothing of the failed
      // batch, or of those after it, was kept.
      await subscription.close();
      clearTimeout(this.#timer);
      this.#timer = undefined;
      folds.drop();
      if (!isFault(failure, FaultCode.checkpointMoved)) {
        this.#o.onError?.(failure);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /**
   * Flushes the batch `batchMs` after its first event, unless the log is still being read
   * (catching up): then batches fill up to `batchSize`.
   */
  #batchTimer(): NodeJS.Timeout {
    return setTimeout(() => {
      this.#timer = this.#midRead ? this.#batchTimer() : undefined;
      if (this.#timer === undefined) this.#flushLater();
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

  /**
   * A flush that nobody awaits: a failure ends the current subscription, and the loop starts
   * again from the checkpoints.
   */
  #flushLater(): void {
    this.#flush().catch((error: unknown) => {
      this.#failure ??= error;
      void this.#subscription?.close();
    });
  }

  /**
   * A full batch: starts applying it and waits only for the batch before it, so the next
   * events are read while this one is written (two batches in memory at most). A failure ends
   * the subscription as in `#flushLater`; the batches after it find their checkpoint behind.
   */
  async #flushAhead(): Promise<void> {
    const previous = this.#flushing;
    this.#flushLater();
    await previous;
  }

  #flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#folds?.take();
    if (batch === undefined) return this.#flushing;
    const run = this.#flushing.then(() => this.#apply(batch));
    this.#writing++;
    this.#flushing = run.then(
      () => void this.#writing--,
      () => void this.#writing--,
    );
    return run;
  }

  async #apply(batch: Batch): Promise<void> {
    const last = batch.last;
    const now = this.#now();
    await this.#o.checkpoints.commit(batch.writes, last, now);
    for (const p of this.#o.projections) {
      this.#positions.set(p.name, Math.max(last, this.#positions.get(p.name) ?? -1));
    }
    this.#o.onApplied?.({
      events: batch.events,
      firstPosition: BigInt(batch.first),
      lastPosition: BigInt(last),
      occurredAt: batch.occurredAt,
    });
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
