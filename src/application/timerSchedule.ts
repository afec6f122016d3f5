import type { CaseTimer } from '../domain/case/caseTimers.js';
import type { TimerChanges } from './timerBackend.js';

/**
 * The scheduler's durable state: the timers the log says are pending, and the log position it
 * has applied them up to, changed together. Derived from the log: deleting it only means the
 * scheduler replays from the start.
 */
export interface TimerSchedule {
  load(): Promise<{ checkpoint: bigint | undefined; timers: CaseTimer[] }>;
  /**
   * Applies `changes` and moves the checkpoint, atomically. A shared schedule that finds itself
   * gone (its store restarted empty) refuses with the fault `timer-schedule-lost`.
   */
  commit(changes: TimerChanges, checkpoint: bigint): Promise<void>;
  /** Replaces the whole schedule: exactly `timers`, at `checkpoint`. */
  rewrite(timers: readonly CaseTimer[], checkpoint: bigint): Promise<void>;
  close(): Promise<void>;
}
