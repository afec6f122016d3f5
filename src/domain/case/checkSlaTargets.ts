import { formatInstant } from '../instant.js';
import type { CaseSnapshot } from './rebuildCase.js';
import type { CaseEvent } from './stream/caseEvents.js';

/**
 * The timers' check of the SLA targets at `now`: a running target whose at-risk instant has
 * come, with its due instant still ahead and no warning recorded on this clock yet, records
 * `SlaTargetAtRisk`. A clock that was met, stopped or breached first records nothing; so does
 * one whose due instant has passed by the time the check runs (a late timer warns of nothing).
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
  return events;
};
