import { DocketFault, FaultCode, isFault } from '../domain/docketError.js';
import type { CaseTimer } from '../domain/case/caseTimers.js';

/** Fires one timer: issues its check command. Throws TimerNotDueError if it came early. */
export type FireTimer = (timer: CaseTimer) => Promise<void>;

/**
 * Where timers wait until they are due: BullMQ delayed jobs (production) or an in-process
 * min-heap (the embedded default). The scheduler decides which timers exist; a backend only
 * keeps them and fires each at or after its due instant. One contract suite
 * (`test/contract/timerBackend.contract.ts`) runs against every backend.
 */
export interface TimerBackend {
  /** Starts firing due timers through `fire`, including those held from before a restart. */
  start(fire: FireTimer): Promise<void>;
  /**
   * Adds and removes timers. Adding a timer already held (same identity) adds nothing;
   * removing one not held is not an error.
   */
  apply(changes: TimerChanges): Promise<void>;
  /** Makes the backend hold exactly `timers`: adds the missing, removes the others. */
  reconcile(timers: readonly CaseTimer[]): Promise<{ added: number; removed: number }>;
  /** The timers waiting to fire. */
  held(): Promise<CaseTimer[]>;
  /** Stops firing (a firing in progress finishes) and releases connections. */
  close(): Promise<void>;
}

export interface TimerChanges {
  readonly add: readonly CaseTimer[];
  readonly remove: readonly CaseTimer[];
}

/**
 * A timer's identity: the case, the kind and the revision of the event that set its due
 * instant. Safe as a BullMQ job id (no `:`, never an integer) and as a command id.
 */
export const timerId = (t: Pick<CaseTimer, 'caseId' | 'kind' | 'revision'>): string =>
  `${t.caseId}.${t.kind}.${t.revision}`;

/** Thrown by a fire callback that received a timer before its due instant (clock skew). */
export class TimerNotDueError extends DocketFault {
  constructor(readonly dueAt: number) {
    super(FaultCode.timerNotDue, `timer not due until ${new Date(dueAt).toISOString()}`);
    this.name = 'TimerNotDueError';
  }
}

/** A TimerNotDueError, by its code: also one thrown by another copy of this module. */
export const isTimerNotDue = (error: unknown): error is TimerNotDueError =>
  isFault(error, FaultCode.timerNotDue) && typeof (error as { dueAt?: unknown }).dueAt === 'number';

/** What changes when a case's pending timers go from `before` to `after` (by identity). */
export const timerChanges = (
  before: readonly CaseTimer[],
  after: readonly CaseTimer[],
): TimerChanges => {
  const beforeIds = new Set(before.map(timerId));
  const afterIds = new Set(after.map(timerId));
  return {
    add: after.filter((t) => !beforeIds.has(timerId(t))),
    remove: before.filter((t) => !afterIds.has(timerId(t))),
  };
};
