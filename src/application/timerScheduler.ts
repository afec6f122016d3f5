import { pendingTimers, type CaseTimer } from '../domain/case/caseTimers.js';
import { applyCaseEvent, type CaseSnapshot } from '../domain/case/rebuildCase.js';
import { CaseSnapshotCache } from './caseSnapshotCache.js';
import { caseIdOf, isCaseStream } from '../domain/case/stream/caseStreamId.js';
import { loadCase, toMachineEvent } from './caseStream.js';
import type { EventStore, EventSubscription, RecordedEvent } from './eventStore.js';
import { FaultCode, isFault } from '../domain/docketError.js';
import { logHead } from './logHead.js';
import {
  timerChanges,
  timerId,
  type FireTimer,
  type TimerBackend,
  type TimerChanges,
} from './timerBackend.js';
import type { TimerSchedule } from './timerSchedule.js';

export interface TimerSchedulerOptions {
  readonly store: EventStore;
  readonly schedule: TimerSchedule;
  readonly backend: TimerBackend;
  /**
   * Given: the scheduler also runs the backend's firing (starts it, closes it) — one process
   * does everything. Omitted: whoever created the backend runs its firing, as every `timers`
   * process of a fleet does while only the leader schedules.
   */
  readonly fire?: FireTimer;
  /**
   * Changes written (and sent to the backend) together, at most.
   * @defaultValue 1000
   */
  readonly batchSize?: number;
  /**
   * How long a change may wait for others to join its batch.
   * @defaultValue 10
   */
  readonly batchMs?: number;
  /** Compare the backend with the schedule this often and repair it (BullMQ); off if unset. */
  readonly reconcileEveryMs?: number;
  /** Case snapshots kept between events. @defaultValue 10000 */
  readonly cacheSize?: number;
  readonly onError?: (error: unknown) => void;
}

class Batch {
  readonly add = new Map<string, CaseTimer>();
  readonly remove = new Map<string, CaseTimer>();
  position: bigint | undefined;

  record({ add, remove }: TimerChanges): void {
    // A timer added in this batch and already superseded never needs to exist.
    for (const t of remove) if (!this.add.delete(timerId(t))) this.remove.set(timerId(t), t);
    for (const t of add) this.add.set(timerId(t), t);
  }

  get size(): number {
    return this.add.size + this.remove.size;
  }

  changes(): TimerChanges {
    return { add: [...this.add.values()], remove: [...this.remove.values()] };
  }
}

/**
 * Keeps the timer backend in line with the log. It follows the log from its checkpoint; for each
 * case event it works out the timers the case needs before and after it (a pure function of the
 * rebuilt case), records the difference and the new checkpoint in the schedule in one
 * transaction, then adds and removes the backend's timers. A crash between the two leaves the
 * schedule right and the backend behind: on start (and every `reconcileEveryMs`) the backend is
 * made to hold exactly what the schedule says.
 */
export class TimerScheduler {
  readonly #options: TimerSchedulerOptions;
  readonly #cache: CaseSnapshotCache;
  readonly #pending = new Map<string, CaseTimer>();
  #batch = new Batch();
  #flushing: Promise<void> = Promise.resolve();
  #flushTimer: NodeJS.Timeout | undefined;
  #subscription: EventSubscription | undefined;
  #following: Promise<void> | undefined;
  #reconciler: NodeJS.Timeout | undefined;
  #position: bigint | undefined;
  #idle: Array<{ position: bigint; resolve: () => void }> = [];
  #closing = false;

  constructor(options: TimerSchedulerOptions) {
    this.#options = options;
    this.#cache = new CaseSnapshotCache(options.cacheSize ?? 10_000);
  }

  /**
   * Loads the schedule and hands its timers to the backend (adding only: what the backend
   * holds beyond them may be newer than this schedule), follows the log up to where it stood at
   * the start, and only then repairs the backend to hold exactly the pending timers: a scheduler
   * that starts behind the log never removes timers that the log's newer events set.
   */
  async start(): Promise<{ pending: number; repaired: { added: number; removed: number } }> {
    const { schedule, backend, store, fire } = this.#options;
    const head = await logHead(store);
    const { checkpoint, timers } = await schedule.load();
    for (const t of timers) this.#pending.set(timerId(t), t);
    this.#position = checkpoint;
    if (timers.length > 0) await backend.apply({ add: timers, remove: [] });
    if (fire !== undefined) await backend.start(fire);
    const none = { pending: timers.length, repaired: { added: 0, removed: 0 } };
    if (this.#closing) return none; // closed while starting (a leader deposed at once)
    this.#subscription = store.subscribe(checkpoint === undefined ? {} : { after: checkpoint });
    this.#following = this.#follow(this.#subscription);
    if (head !== undefined) {
      const following = this.#following;
      await Promise.race([
        this.caughtUp(head),
        following.then(() => {
          if (!this.#closing) throw new Error('the log ended before the timer scheduler caught up');
        }),
      ]);
    }
    if (this.#closing) return none;
    const repaired = await this.reconcile();
    const every = this.#options.reconcileEveryMs;
    if (every !== undefined) {
      this.#reconciler = setInterval(() => void this.reconcile().catch(this.#report), every);
      this.#reconciler.unref();
    }
    return { pending: timers.length, repaired };
  }

  /** Makes the backend hold exactly the pending timers of the schedule. */
  async reconcile(): Promise<{ added: number; removed: number }> {
    await this.#flushing;
    return this.#options.backend.reconcile([...this.#pending.values()]);
  }

  /** The timers the log says are pending (as far as the scheduler has followed it). */
  pending(): CaseTimer[] {
    return [...this.#pending.values()];
  }

  /** Resolves once everything up to `position` is scheduled (tests, benchmarks). */
  async caughtUp(position: bigint): Promise<void> {
    if (this.#position !== undefined && this.#position >= position) return this.#flushing;
    await new Promise<void>((resolve) => this.#idle.push({ position, resolve }));
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#reconciler);
    await this.#subscription?.close();
    await this.#following;
    await this.#flush();
    // A start still waiting to catch up goes no further.
    for (const waiter of this.#idle.splice(0)) waiter.resolve();
    if (this.#options.fire !== undefined) await this.#options.backend.close();
    await this.#options.schedule.close();
  }

  async #follow(subscription: EventSubscription): Promise<void> {
    try {
      for await (const event of subscription) {
        if (isCaseStream(event.streamId)) this.#batch.record(await this.#changesOf(event));
        this.#batch.position = event.position;
        if (this.#batch.size >= (this.#options.batchSize ?? 1_000)) await this.#flush();
        else this.#flushTimer ??= setTimeout(() => void this.#flush(), this.#options.batchMs ?? 10);
      }
    } catch (error) {
      this.#report(error);
    }
  }

  /** What the event changes in its case's pending timers. */
  async #changesOf(event: RecordedEvent): Promise<TimerChanges> {
    const caseId = caseIdOf(event.streamId);
    let before = this.#cache.get(caseId);
    if (event.revision === 0) before = undefined;
    else if (before?.revision !== event.revision - 1) before = await this.#load(event);
    const after = applyCaseEvent(before, toMachineEvent(event));
    if (!after.ok) {
      // A stream the machine refuses is for `docket audit verify` to report; timers keep going.
      this.#report(new Error(`${event.streamId}@${event.revision}: ${after.error.message}`));
      return { add: [], remove: [] };
    }
    this.#cache.set(caseId, after.value);
    return timerChanges(
      before === undefined ? [] : pendingTimers(before),
      pendingTimers(after.value),
    );
  }

  /** The case as it was just before `event`, replayed from its stream. */
  async #load(event: RecordedEvent): Promise<CaseSnapshot | undefined> {
    const caseId = caseIdOf(event.streamId);
    return (await loadCase(this.#options.store, caseId, { before: event.revision })).snapshot;
  }

  #flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const batch = this.#batch;
    this.#batch = new Batch();
    this.#flushing = this.#flushing.then(async () => {
      if (batch.position === undefined) return;
      const changes = batch.changes();
      await this.#commit(changes, batch.position);
      for (const t of changes.remove) this.#pending.delete(timerId(t));
      for (const t of changes.add) this.#pending.set(timerId(t), t);
      this.#position = batch.position;
      try {
        await this.#options.backend.apply(changes);
      } catch (error) {
        this.#report(error); // the schedule is right; the next reconcile repairs the backend
      }
      const position = this.#position;
      this.#idle = this.#idle.filter((w) => (w.position <= position ? (w.resolve(), false) : true));
    });
    this.#flushing = this.#flushing.catch(this.#report);
    return this.#flushing;
  }

  /**
   * Commits a batch, retrying until it succeeds (or the scheduler closes): skipping it would
   * let a later checkpoint pass changes that were never recorded.
   */
  async #commit(changes: TimerChanges, position: bigint): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#options.schedule.commit(changes, position);
      } catch (error) {
        if (isFault(error, FaultCode.timerScheduleLost)) {
          this.#report(error);
          await this.#rewrite(changes, position);
          return;
        }
        this.#report(error);
        if (this.#closing) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 5_000)));
      }
    }
  }

  /**
   * The shared schedule vanished with its store (Redis restarted empty, and with it the
   * backend's jobs): write it whole from what this scheduler holds, and refill the backend.
   */
  async #rewrite(changes: TimerChanges, position: bigint): Promise<void> {
    const pending = new Map(this.#pending);
    for (const t of changes.remove) pending.delete(timerId(t));
    for (const t of changes.add) pending.set(timerId(t), t);
    await this.#options.schedule.rewrite([...pending.values()], position);
    await this.#options.backend.reconcile([...pending.values()]);
  }

  readonly #report = (error: unknown) => this.#options.onError?.(error);
}
