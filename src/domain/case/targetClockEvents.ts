import { addBusinessTime, businessTimeBetween } from '../policy/businessCalendar.js';
import { durationToMillis } from '../policy/businessDuration.js';
import { formatInstant } from '../instant.js';
import type { Policy } from '../policy/policy.js';
import { policyCalendar } from '../policy/policyCalendars.js';
import { furtherTargets, type FurtherTarget } from '../policy/slaTarget.js';
import { ruleFor } from './caseDeadlines.js';
import { activeStates } from './caseLifecycle.js';
import type { CaseSnapshot } from './rebuildCase.js';
import type { CaseEvent, CaseEventType } from './stream/caseEvents.js';
import type { TargetClock } from './stream/targetClock.js';

/** The events that start a new clock of each further target (and stop the one before it). */
const startedBy: Record<FurtherTarget, readonly CaseEventType[]> = {
  resolution: ['CaseOpened'],
  'next-reply': ['CustomerResponded'],
  'periodic-update': ['AgentResponded', 'CustomerInfoRequested', 'CaseReopened'],
};
/** The events that stop a clock: the target met (a reply, an update, a resolution) or ended. */
const stoppedBy: Record<FurtherTarget, readonly CaseEventType[]> = {
  resolution: ['CaseResolved', 'CaseWithdrawn'],
  'next-reply': ['AgentResponded', 'CustomerInfoRequested', 'CaseResolved', 'CaseWithdrawn'],
  'periodic-update': ['CaseResolved', 'CaseWithdrawn'],
};

const isWaiting = (state: CaseSnapshot['state']) =>
  state === 'awaitingCustomer' || state === 'downgraded';

/**
 * What the further targets' clocks record after a command's events (`after` is the case with
 * them applied): clocks stopped and started by those events, then paused while the case awaits
 * the customer and resumed when it no longer does. A resolution clock stopped by resolution
 * runs on, with what it had left, when the case is reopened. Due and at-risk instants are
 * computed here, on the clock's calendar, and recorded: replays never need the policy. Nothing
 * for a policy that sets no further target. Pure.
 */
export const targetClockEvents = (
  after: CaseSnapshot,
  decided: readonly CaseEvent[],
  policy: Policy,
  now: number,
): CaseEvent[] => {
  const { state, context } = after;
  const rule = ruleFor(context, context.severity, policy);
  const terms = rule.ok ? rule.value.targets : undefined;
  if (terms === undefined && Object.keys(context.clocks).length === 0) return [];
  const recorded = (types: readonly CaseEventType[]) => decided.some((e) => types.includes(e.type));
  const waiting = isWaiting(state);
  const active = activeStates.includes(state);
  const events: CaseEvent[] = [];

  const remainingOf = (clock: TargetClock): number => {
    if (clock.status !== 'running') return clock.remainingMs;
    if (clock.dueAt <= now) return 0;
    return businessTimeBetween(policyCalendar(policy, clock.calendar), now, clock.dueAt);
  };
  /** Due and at-risk instants of a clock running from now with `remainingMs` left. */
  const instants = (calendarId: string, budgetMs: number, remainingMs: number, share?: number) => {
    const calendar = policyCalendar(policy, calendarId);
    const dueAt = addBusinessTime(calendar, now, remainingMs);
    const usedMs = budgetMs - remainingMs;
    const atRisk =
      share === undefined
        ? undefined
        : {
            share,
            at: formatInstant(
              addBusinessTime(calendar, now, Math.max(0, Math.round(budgetMs * share) - usedMs)),
            ),
          };
    return { dueAt, ...(atRisk !== undefined && { atRisk }) };
  };

  for (const target of furtherTargets) {
    let clock = context.clocks[target];
    const starts = recorded(startedBy[target]);
    if (
      clock !== undefined &&
      clock.status !== 'stopped' &&
      (starts || recorded(stoppedBy[target]))
    ) {
      const remainingMs = remainingOf(clock);
      const met =
        !clock.breached && (clock.status === 'running' ? now <= clock.dueAt : remainingMs > 0);
      events.push({ type: 'SlaTargetStopped', data: { target, met, remainingMs } });
      clock = { ...clock, status: 'stopped', remainingMs };
    }
    const set = terms?.[target];
    if (starts && set !== undefined && active && rule.ok) {
      const calendarId = rule.value.calendarId;
      const calendar = policyCalendar(policy, calendarId);
      const budgetMs = durationToMillis(set.target, calendar.nominalDayMs);
      const { dueAt, atRisk } = instants(calendarId, budgetMs, budgetMs, set.atRisk);
      events.push({
        type: 'SlaTargetStarted',
        data: {
          target,
          calendar: calendarId,
          budgetMs,
          dueAt: formatInstant(dueAt),
          ...(atRisk !== undefined && { atRisk }),
        },
      });
      clock = {
        status: 'running',
        calendar: calendarId,
        budgetMs,
        dueAt,
        remainingMs: budgetMs,
        breached: false,
        setAt: 0,
      };
    }
    if (clock === undefined) continue;
    const reopened =
      target === 'resolution' && recorded(['CaseReopened']) && clock.status === 'stopped';
    if (waiting && clock.status === 'running') {
      events.push({ type: 'SlaTargetPaused', data: { target, remainingMs: remainingOf(clock) } });
    } else if (active && !waiting && (clock.status === 'paused' || reopened)) {
      const { dueAt, atRisk } = instants(
        clock.calendar,
        clock.budgetMs,
        clock.remainingMs,
        clock.atRisk?.share,
      );
      events.push({
        type: 'SlaTargetResumed',
        data: { target, dueAt: formatInstant(dueAt), ...(atRisk !== undefined && { atRisk }) },
      });
    }
  }
  return events;
};
