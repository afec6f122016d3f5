import { formatInstant } from '../instant.js';
import { furtherTargets, type FurtherTarget } from '../policy/slaTarget.js';
import type { CaseSnapshot } from './rebuildCase.js';
import type { CaseEvent } from './stream/caseEvents.js';

const breachOf = {
  resolution: 'ResolutionDeadlineBreached',
  'next-reply': 'NextReplyDeadlineBreached',
  'periodic-update': 'PeriodicUpdateDeadlineBreached',
} as const satisfies Record<FurtherTarget, CaseEvent['type']>;

/**
 * The timers' check of the SLA targets at `now`. A running target whose at-risk instant has
 * come, with its due instant still ahead and no warning recorded on this clock yet, records
 * `SlaTargetAtRisk`; a clock that was met, stopped or breached first records nothing, and so
 * does one whose due instant has passed by the time the check runs (a late timer warns of
 * nothing). A further target's running clock whose due instant has come records its breach,
 * once per clock (the response target's breach is `checkResponseDeadline`'s).
 */
export const checkSlaTargets = ({ state, context }: CaseSnapshot, now: number): CaseEvent[] => {
  const events: CaseEvent[] = [];
  const risk = context.responseAtRisk;
  if (
    state === 'opened' &&
    !context.breached &&
    risk !== undefined &&
    !risk.recorded &&
    risk.at <= now &&
    now < context.responseDueAt
  ) {
    events.push({
      type: 'SlaTargetAtRisk',
      data: {
        target: 'response',
        threshold: risk.share,
        dueAt: formatInstant(context.responseDueAt),
      },
    });
  }
  for (const target of furtherTargets) {
    const clock = context.clocks[target];
    if (clock?.status !== 'running' || clock.breached) continue;
    const dueAt = formatInstant(clock.dueAt);
    if (now >= clock.dueAt) {
      events.push({ type: breachOf[target], data: { dueAt } });
    } else if (clock.atRisk !== undefined && !clock.atRisk.recorded && clock.atRisk.at <= now) {
      events.push({
        type: 'SlaTargetAtRisk',
        data: { target, threshold: clock.atRisk.share, dueAt },
      });
    }
  }
  return events;
};
