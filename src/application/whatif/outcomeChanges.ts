import type { CaseOutcome } from './caseOutcome.js';

/** What may change about a case's outcome, in the order changes are listed. */
export const outcomeAspects = [
  'opened',
  'severity',
  'first-response',
  'breach',
  'downgrades',
  'nonresponse-resolution',
  'auto-close',
] as const;
export type OutcomeAspect = (typeof outcomeAspects)[number];

/**
 * One difference between the recorded outcome and the replayed one, and the instant it happens
 * at (in the replay if it happens there, else in the log). `first-response` is `within-target`,
 * `missed` or `none`; `opened` is false when the candidate refuses to open the case.
 */
export interface OutcomeChange {
  readonly what: OutcomeAspect;
  readonly before: string | number | boolean;
  readonly after: string | number | boolean;
  readonly at: string;
}

const response = (o: CaseOutcome) =>
  o.firstResponse === undefined
    ? 'none'
    : o.firstResponse.withinTarget
      ? 'within-target'
      : 'missed';

/** The first downgrade that is not at the same instant in both, replay first. */
const firstDifferent = (
  before: readonly string[],
  after: readonly string[],
): string | undefined => {
  for (let i = 0; i < Math.max(before.length, after.length); i++)
    if (before[i] !== after[i]) return after[i] ?? before[i];
  return undefined;
};

/**
 * How a case's outcome differs when replayed (`after`; undefined: the replay did not open it)
 * from the recorded one. Deadlines that move without changing an outcome (a breach at another
 * instant, a response using more of its target) are not changes; the figures show them.
 */
export const outcomeChanges = (
  before: CaseOutcome,
  after: CaseOutcome | undefined,
  openedAt: string,
): OutcomeChange[] => {
  if (after === undefined) return [{ what: 'opened', before: true, after: false, at: openedAt }];
  const changes: OutcomeChange[] = [];
  const flag = (what: OutcomeAspect, b: string | undefined, a: string | undefined) => {
    const at = a ?? b;
    if ((b === undefined) !== (a === undefined) && at !== undefined)
      changes.push({ what, before: b !== undefined, after: a !== undefined, at });
  };
  if (before.severity !== after.severity)
    changes.push({
      what: 'severity',
      before: before.severity,
      after: after.severity,
      at: openedAt,
    });
  if (response(before) !== response(after)) {
    const at = after.firstResponse?.at ?? before.firstResponse?.at ?? openedAt;
    changes.push({ what: 'first-response', before: response(before), after: response(after), at });
  }
  flag('breach', before.breachedAt, after.breachedAt);
  const downgrade = firstDifferent(before.downgradedAt, after.downgradedAt);
  if (before.downgradedAt.length !== after.downgradedAt.length && downgrade !== undefined) {
    const [b, a] = [before.downgradedAt.length, after.downgradedAt.length];
    changes.push({ what: 'downgrades', before: b, after: a, at: downgrade });
  }
  flag('nonresponse-resolution', before.nonresponseResolvedAt, after.nonresponseResolvedAt);
  flag('auto-close', before.autoClosedAt, after.autoClosedAt);
  return changes;
};
