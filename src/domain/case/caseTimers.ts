import { furtherTargets } from '../policy/slaTarget.js';
import type { CaseSnapshot } from './rebuildCase.js';

/**
 * The fixed firing order of timers due at the same instant: the response deadline, then the
 * customer-nonresponse check, then auto-close, then the SLA target checks (kinds added later
 * come last, so the order of the earlier ones never changes).
 */
export const timerKinds = [
  'response-deadline',
  'customer-nonresponse',
  'auto-close',
  'response-at-risk',
  'resolution-deadline',
  'next-reply-deadline',
  'periodic-update-deadline',
  'resolution-at-risk',
  'next-reply-at-risk',
  'periodic-update-at-risk',
] as const;
export type TimerKind = (typeof timerKinds)[number];

export const timerCommand = {
  'response-deadline': 'checkResponseDeadline',
  'customer-nonresponse': 'checkCustomerNonresponse',
  'auto-close': 'checkAutoClose',
  'response-at-risk': 'checkSlaTargets',
  'resolution-deadline': 'checkSlaTargets',
  'next-reply-deadline': 'checkSlaTargets',
  'periodic-update-deadline': 'checkSlaTargets',
  'resolution-at-risk': 'checkSlaTargets',
  'next-reply-at-risk': 'checkSlaTargets',
  'periodic-update-at-risk': 'checkSlaTargets',
} as const satisfies Record<TimerKind, string>;

/** Timers that warn (a target at risk) rather than end a deadline. */
export const isWarningTimer = (kind: TimerKind): boolean => kind.endsWith('-at-risk');

export interface CaseTimer {
  readonly caseId: string;
  readonly kind: TimerKind;
  /** Epoch ms. */
  readonly dueAt: number;
  /** Revision of the event that set this due instant: with caseId and kind, the timer's identity. */
  readonly revision: number;
}

/**
 * The timers a case needs now, a pure function of its rebuilt state: the response deadline while
 * `opened` and not yet breached (and its at-risk check, if the policy set a threshold and the
 * warning is not recorded yet), the customer-nonresponse check while waiting on the customer,
 * and auto-close while `resolved`; and, in any state, each running further target's deadline
 * (until it breaches) and at-risk check (until its warning is recorded).
 */
export const pendingTimers = (snapshot: CaseSnapshot): CaseTimer[] => {
  const timers = lifecycleTimers(snapshot);
  const { caseId, clocks } = snapshot.context;
  for (const target of furtherTargets) {
    const clock = clocks[target];
    if (clock?.status !== 'running' || clock.breached) continue;
    const revision = clock.setAt;
    timers.push({ caseId, kind: `${target}-deadline`, dueAt: clock.dueAt, revision });
    const risk = clock.atRisk;
    if (risk !== undefined && !risk.recorded && risk.at < clock.dueAt) {
      timers.push({ caseId, kind: `${target}-at-risk`, dueAt: risk.at, revision });
    }
  }
  return timers;
};

const lifecycleTimers = ({ state, context }: CaseSnapshot): CaseTimer[] => {
  const { caseId, deadlineSetAt } = context;
  switch (state) {
    case 'opened': {
      if (context.breached) return [];
      const revision = deadlineSetAt.response;
      const timers: CaseTimer[] = [
        { caseId, kind: 'response-deadline', dueAt: context.responseDueAt, revision },
      ];
      const risk = context.responseAtRisk;
      if (risk !== undefined && !risk.recorded && risk.at < context.responseDueAt) {
        timers.push({ caseId, kind: 'response-at-risk', dueAt: risk.at, revision });
      }
      return timers;
    }
    case 'awaitingCustomer':
    case 'downgraded':
      return context.nonresponseDueAt === undefined
        ? []
        : [
            {
              caseId,
              kind: 'customer-nonresponse',
              dueAt: context.nonresponseDueAt,
              revision: deadlineSetAt.nonresponse ?? context.revision,
            },
          ];
    case 'resolved':
      return context.autoCloseAt === undefined
        ? []
        : [
            {
              caseId,
              kind: 'auto-close',
              dueAt: context.autoCloseAt,
              revision: deadlineSetAt.autoClose ?? context.revision,
            },
          ];
    case 'responded':
    case 'closed':
      return [];
  }
};

/**
 * Due instant, then case id, then kind: replays and simulations fire in the same order. The
 * revision makes the order total (a case's pending timers differ in kind, so it never decides in
 * practice).
 */
export const compareTimers = (a: CaseTimer, b: CaseTimer): number =>
  a.dueAt - b.dueAt ||
  (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0) ||
  timerKinds.indexOf(a.kind) - timerKinds.indexOf(b.kind) ||
  a.revision - b.revision;
