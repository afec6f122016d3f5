import { compareTimers, type CaseTimer } from '../domain/case/caseTimers.js';
import { MinHeap } from './minHeap.js';
import { timerId } from './timerBackend.js';

/**
 * Pending timers in firing order (due instant, then case id, then the fixed order of kinds:
 * compareTimers), each identity at
 * most once. Removal is lazy: a removed timer stays in the heap until it reaches the top and
 * is skipped. Pure and synchronous: `docket simulate` drives it with its virtual clock, the
 * in-process backend with the service's clock.
 */
export class TimerQueue {
  readonly #heap = new MinHeap<CaseTimer>(compareTimers);
  readonly #live = new Map<string, CaseTimer>();

  /** Adds a timer; false if one with its identity is already pending. */
  add(timer: CaseTimer): boolean {
    const id = timerId(timer);
    if (this.#live.has(id)) return false;
    this.#live.set(id, timer);
    this.#heap.push(timer);
    return true;
  }

  /** Removes a pending timer; false if none with its identity is pending. */
  remove(timer: Pick<CaseTimer, 'caseId' | 'kind' | 'revision'>): boolean {
    return this.#live.delete(timerId(timer));
  }

  /** The next timer to fire, if any. */
  peek(): CaseTimer | undefined {
    for (let top = this.#heap.peek(); top !== undefined; top = this.#heap.peek()) {
      if (this.#live.get(timerId(top)) === top) return top;
      this.#heap.pop(); // removed (or replaced by a later add of the same identity)
    }
    return undefined;
  }

  /** Takes the next timer if `isDue(its due instant)`. */
  popDue(isDue: (dueAt: number) => boolean): CaseTimer | undefined {
    const next = this.peek();
    if (next === undefined || !isDue(next.dueAt)) return undefined;
    this.#heap.pop();
    this.#live.delete(timerId(next));
    return next;
  }

  /** The pending timers, in firing order. */
  list(): CaseTimer[] {
    return [...this.#live.values()].sort(compareTimers);
  }

  get size(): number {
    return this.#live.size;
  }
}
