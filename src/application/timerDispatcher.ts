import { timerActor } from '../domain/actor.js';
import { timerCommand, type CaseTimer } from '../domain/case/caseTimers.js';
import type { Clock } from '../domain/clock.js';
import type { CaseCommandHandler } from './caseCommandHandler.js';
import { TimerNotDueError, timerId, type FireTimer } from './timerBackend.js';

/** A timer's check command id: one per timer, so a duplicate or late firing records nothing twice. */
export const timerCommandId = (timer: CaseTimer): string => `timer.${timerId(timer)}`;

/** Watches timers as they fire (metrics). */
export interface TimerFiringObserver {
  /**
   * A timer fired and its check was handled (recorded, found stale or refused), `latenessMs`
   * after its due instant (the clock at the firing minus `dueAt`). Not told of a repeated
   * firing of a timer already handled, nor of one that failed and will be retried.
   */
  onFired?(timer: CaseTimer, latenessMs: number): void;
}

/**
 * What a firing timer does: issue its check command (`checkResponseDeadline`, …) through the
 * normal command handler. The check re-reads the case and records nothing if the timer is
 * stale; its command id makes a repeated firing a duplicate. A timer delivered before its due
 * instant (another machine's clock) is refused with TimerNotDueError, to be delivered again.
 */
export const timerDispatcher =
  (
    commands: CaseCommandHandler,
    clock: Clock,
    log: (message: string, timer: CaseTimer) => void = () => undefined,
    observer: TimerFiringObserver = {},
  ): FireTimer =>
  async (timer) => {
    const firedAt = clock.now();
    if (firedAt < timer.dueAt) throw new TimerNotDueError(timer.dueAt);
    const result = await commands.handle({
      type: timerCommand[timer.kind],
      caseId: timer.caseId,
      actor: timerActor,
      input: {},
      commandId: timerCommandId(timer),
    });
    // A refusal is not retried: the case is gone or the check is not allowed, which retrying
    // cannot change. Infrastructure faults throw, and the backend retries those.
    if (!result.ok) log(`timer ${timerId(timer)} refused: ${result.error.message}`, timer);
    if (!result.ok || !result.value.duplicate) observer.onFired?.(timer, firedAt - timer.dueAt);
  };
