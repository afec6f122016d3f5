import type { CaseSnapshot } from './rebuildCase.js';

/**
 * The fixed firing order of timers due at the same instant: the response deadline, then the
 * customer-nonresponse check, then auto-close.
 */
export const timerKinds = ['response-deadline', 'customer-nonresponse', 'auto-close'] as const;
export type TimerKind = (typeof timerKinds)[number];

export const timerCommand = {
  'response-deadline': 'checkResponseDeadline',
  'customer-nonresponse': 'checkCustomerNonresponse',
  'auto-close': 'checkAutoClose',
} as const satisfies Record<TimerKind, string>;

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
 * `opened` and not yet breached, the customer-nonresponse check while waiting on the customer,
 * and auto-close while `resolved`.
 */
export const pendingTimers = ({ state, context }: CaseSnapshot): CaseTimer[] => {
  const { caseId, deadlineSetAt } = context;
  switch (state) {
    case 'opened':
      return context.breached
        ? []
        : [
            {
              caseId,
              kind: 'response-deadline',
              dueAt: context.responseDueAt,
              revision: deadlineSetAt.response,
            },
          ];
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
 * revision makes the order total (a case has one pending timer, so it never decides in practice).
 */
export const compareTimers = (a: CaseTimer, b: CaseTimer): number =>
  a.dueAt - b.dueAt ||
  (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0) ||
  timerKinds.indexOf(a.kind) - timerKinds.indexOf(b.kind) ||
  a.revision - b.revision;
