import { timerId, type TimerChanges } from '../application/timerBackend.js';
import type { TimerSchedule } from '../application/timerSchedule.js';
import type { CaseTimer } from '../domain/case/caseTimers.js';

/** The timer schedule in memory (tests); the same contract as the SQLite file. */
export class MemoryTimerSchedule implements TimerSchedule {
  readonly #timers = new Map<string, CaseTimer>();
  #checkpoint: bigint | undefined;

  load() {
    return Promise.resolve({ checkpoint: this.#checkpoint, timers: [...this.#timers.values()] });
  }

  commit(changes: TimerChanges, checkpoint: bigint): Promise<void> {
    for (const t of changes.remove) this.#timers.delete(timerId(t));
    for (const t of changes.add) this.#timers.set(timerId(t), t);
    this.#checkpoint = checkpoint;
    return Promise.resolve();
  }

  rewrite(timers: readonly CaseTimer[], checkpoint: bigint): Promise<void> {
    this.#timers.clear();
    return this.commit({ add: timers, remove: [] }, checkpoint);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
