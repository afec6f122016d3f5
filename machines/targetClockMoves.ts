import type { CaseContext } from '../src/domain/case/stream/caseContext.js';
import type { TargetClock } from '../src/domain/case/stream/targetClock.js';
import type { FurtherTarget } from '../src/domain/policy/slaTarget.js';
import { ms, type EventOf } from './caseMachineContext.js';

/** The events that move a further target's clock (machines/caseMachine.ts). */
export type ClockEvent = EventOf<
  | 'SlaTargetStarted'
  | 'SlaTargetPaused'
  | 'SlaTargetResumed'
  | 'SlaTargetStopped'
  | 'NextReplyDeadlineBreached'
  | 'PeriodicUpdateDeadlineBreached'
  | 'ResolutionDeadlineBreached'
>;

const breachTarget = {
  NextReplyDeadlineBreached: 'next-reply',
  PeriodicUpdateDeadlineBreached: 'periodic-update',
  ResolutionDeadlineBreached: 'resolution',
} as const satisfies Record<string, FurtherTarget>;

const targetOf = (event: ClockEvent): FurtherTarget =>
  'target' in event.data
    ? event.data.target
    : breachTarget[event.type as keyof typeof breachTarget];

const mark = (atRisk: { share: number; at: string } | undefined, recorded: boolean) =>
  atRisk === undefined ? undefined : { share: atRisk.share, at: ms(atRisk.at), recorded };

/**
 * Whether a clock event fits the clock it moves: a pause or a breach needs it running (a
 * breach once per clock), a resumption a paused or stopped clock, a stop one not stopped yet.
 */
export const clockAccepts = (c: CaseContext, event: ClockEvent): boolean => {
  const clock = c.clocks[targetOf(event)];
  switch (event.type) {
    case 'SlaTargetStarted':
      return true;
    case 'SlaTargetPaused':
      return clock?.status === 'running';
    case 'SlaTargetResumed':
      return clock !== undefined && clock.status !== 'running';
    case 'SlaTargetStopped':
      return clock !== undefined && clock.status !== 'stopped';
    case 'NextReplyDeadlineBreached':
    case 'PeriodicUpdateDeadlineBreached':
    case 'ResolutionDeadlineBreached':
      return clock?.status === 'running' && !clock.breached;
  }
};

/** The case after a clock event (`c.revision` is already the event's own revision). */
export const moveClock = (c: CaseContext, event: ClockEvent): CaseContext => {
  const target = targetOf(event);
  const clock = c.clocks[target];
  let next: TargetClock | undefined;
  switch (event.type) {
    case 'SlaTargetStarted': {
      const { calendar, budgetMs, dueAt, atRisk } = event.data;
      next = {
        status: 'running',
        calendar,
        budgetMs,
        dueAt: ms(dueAt),
        remainingMs: budgetMs,
        atRisk: mark(atRisk, false),
        breached: false,
        setAt: c.revision,
      };
      break;
    }
    case 'SlaTargetPaused':
    case 'SlaTargetStopped':
      if (clock === undefined) return c;
      next = {
        ...clock,
        status: event.type === 'SlaTargetPaused' ? 'paused' : 'stopped',
        remainingMs: event.data.remainingMs,
      };
      break;
    case 'SlaTargetResumed':
      if (clock === undefined) return c;
      next = {
        ...clock,
        status: 'running',
        dueAt: ms(event.data.dueAt),
        atRisk: mark(event.data.atRisk, clock.atRisk?.recorded ?? false),
        setAt: c.revision,
      };
      break;
    case 'NextReplyDeadlineBreached':
    case 'PeriodicUpdateDeadlineBreached':
    case 'ResolutionDeadlineBreached':
      if (clock === undefined) return c;
      next = { ...clock, breached: true };
      break;
  }
  return { ...c, clocks: { ...c.clocks, [target]: next } };
};

/** A further target's at-risk warning recorded: once per clock. */
export const recordClockAtRisk = (c: CaseContext, target: FurtherTarget): CaseContext => {
  const clock = c.clocks[target];
  if (clock?.atRisk === undefined) return c;
  return {
    ...c,
    clocks: { ...c.clocks, [target]: { ...clock, atRisk: { ...clock.atRisk, recorded: true } } },
  };
};

/** Whether a further target's at-risk warning may be recorded now: running, not yet warned. */
export const clockAtRiskPending = (c: CaseContext, target: FurtherTarget): boolean => {
  const clock = c.clocks[target];
  return (
    clock?.status === 'running' &&
    !clock.breached &&
    clock.atRisk !== undefined &&
    !clock.atRisk.recorded
  );
};
