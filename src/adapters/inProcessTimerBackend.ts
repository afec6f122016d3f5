import type { CaseTimer } from '../domain/case/caseTimers.js';
import type { Clock } from '../domain/clock.js';
import {
  isTimerNotDue,
  timerChanges,
  timerId,
  type FireTimer,
  type TimerBackend,
  type TimerChanges,
} from '../application/timerBackend.js';
import { TimerQueue } from '../application/timerQueue.js';

export interface InProcessTimerBackendOptions {
  readonly clock: Clock;
  /**
   * Timers fired at once. Firings start in the fixed order; a case has at most one pending
   * timer, so firings in flight together are on different cases.
   * @defaultValue 32
   */
  readonly concurrency?: number;
  /**
   * Delay before a firing that failed (the store was busy, say) is tried again; it doubles
   * with each attempt, up to a minute.
   * @defaultValue 500
   */
  readonly retryMs?: number;
  readonly onError?: (error: unknown, timer: CaseTimer) => void;
}

/** Longest delay setTimeout takes (about 24.8 days): later timers are re-armed when it ends. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Timers in this process (the embedded default): a min-heap driven by the injected clock. Holds
 * nothing durable: on start the scheduler hands it the pending timers it derived from the log,
 * so timers that fell due while the service was down fire at once, in due order.
 */
export class InProcessTimerBackend implements TimerBackend {
  readonly #queue = new TimerQueue();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #attempts = new Map<string, number>();
  #fire: FireTimer | undefined;
  #alarm: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly options: InProcessTimerBackendOptions) {}

  start(fire: FireTimer): Promise<void> {
    this.#fire = fire;
    this.#pump();
    return Promise.resolve();
  }

  apply({ add, remove }: TimerChanges): Promise<void> {
    for (const timer of remove) this.#queue.remove(timer);
    for (const timer of add) this.#queue.add(timer);
    this.#pump();
    return Promise.resolve();
  }

  reconcile(timers: readonly CaseTimer[]): Promise<{ added: number; removed: number }> {
    const changes = timerChanges(this.#queue.list(), timers);
    void this.apply(changes);
    return Promise.resolve({ added: changes.add.length, removed: changes.remove.length });
  }

  held(): Promise<CaseTimer[]> {
    return Promise.resolve(this.#queue.list());
  }

  /** Fires what is due now: for a virtual clock that was moved (tests, simulations). */
  wake(): void {
    this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#alarm);
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Starts every due timer the concurrency allows, then sleeps until the next one is due. */
  #pump(): void {
    clearTimeout(this.#alarm);
    this.#alarm = undefined;
    const fire = this.#fire;
    if (fire === undefined || this.#closed) return;
    const limit = this.options.concurrency ?? 32;
    const now = this.options.clock.now();
    while (this.#inFlight.size < limit) {
      const timer = this.#queue.popDue((dueAt) => dueAt <= now);
      if (timer === undefined) break;
      const firing = this.#run(fire, timer).finally(() => {
        this.#inFlight.delete(firing);
        this.#pump();
      });
      this.#inFlight.add(firing);
    }
    const next = this.#queue.peek();
    if (next === undefined || this.#inFlight.size >= limit) return;
    const delay = Math.min(Math.max(0, next.dueAt - now), MAX_DELAY);
    this.#alarm = setTimeout(() => this.#pump(), delay);
    this.#alarm.unref();
  }

  async #run(fire: FireTimer, timer: CaseTimer): Promise<void> {
    try {
      await fire(timer);
      this.#attempts.delete(timerId(timer));
    } catch (error) {
      if (this.#closed) return;
      // Too early (another clock) or failed: it stays pending and is tried again later.
      const key = timerId(timer);
      const attempt = (this.#attempts.get(key) ?? 0) + 1;
      this.#attempts.set(key, attempt);
      const retryMs = this.options.retryMs ?? 500;
      const at = isTimerNotDue(error)
        ? error.dueAt
        : this.options.clock.now() + Math.min(retryMs * 2 ** (attempt - 1), 60_000);
      if (!isTimerNotDue(error)) this.options.onError?.(error, timer);
      this.#queue.add({ ...timer, dueAt: Math.max(at, timer.dueAt) });
    }
  }
}
