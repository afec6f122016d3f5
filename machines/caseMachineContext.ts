import type {
  CaseEvent,
  CaseEventOf,
  CaseEventType,
} from '../src/domain/case/stream/caseEvents.js';
import type { CaseContext } from '../src/domain/case/stream/caseContext.js';
import type { DeadlineWarning } from '../src/domain/policy/calendarHorizon.js';
import type { TargetClocks } from '../src/domain/case/stream/targetClock.js';

/*
 * The case machine's context and events: the case record it keeps, how `CaseOpened` starts it,
 * and the helpers its actions share (machines/caseMachine.ts).
 */

/** A stored event as the machine sees it: the event and the instant it occurred (epoch ms). */
export type CaseMachineEvent = CaseEvent & { readonly at: number };
export type EventOf<K extends CaseEventType> = CaseEventOf<K> & { readonly at: number };

export const ms = (iso: string) => Date.parse(iso);

const noWarnings: readonly DeadlineWarning[] = [];
const noClocks: TargetClocks = {};
/** The warnings kept when the deadline `kind` is set anew (with `recorded`) or stops. */
export const replaceWarnings = (
  current: readonly DeadlineWarning[],
  kind: DeadlineWarning['deadline'],
  recorded: readonly DeadlineWarning[] = noWarnings,
): readonly DeadlineWarning[] => {
  if (current.length === 0) return recorded;
  const kept = current.filter((w) => w.deadline !== kind);
  return recorded.length === 0 ? kept : [...kept, ...recorded];
};

/**
 * Every member is present from the start, the optional ones as `undefined`: all case records
 * then share one object shape, which keeps the actions' spreads fast (replay, bench/audit).
 */
export const openedContext = ({ data, at }: EventOf<'CaseOpened'>): CaseContext => ({
  caseId: data.caseId,
  tenant: data.tenant,
  line: data.line,
  category: data.category,
  title: data.title,
  policyVersion: data.policyVersion,
  requestedSeverity: data.requestedSeverity,
  severity: data.severity,
  openedAt: at,
  responseTarget: data.responseTarget,
  responseCalendar: data.responseCalendar,
  responseDueAt: ms(data.responseDueAt),
  responseAtRisk:
    data.responseAtRisk === undefined
      ? undefined
      : { share: data.responseAtRisk.share, at: ms(data.responseAtRisk.at), recorded: false },
  clocks: noClocks,
  breached: false,
  firstResponseAt: undefined,
  respondedWithinTarget: undefined,
  assignee: undefined,
  awaitingSince: undefined,
  nonresponseDueAt: undefined,
  resolvedAt: undefined,
  resolution: undefined,
  autoCloseAt: undefined,
  closedAt: undefined,
  surveySubmitted: false,
  reopenCount: 0,
  downgradeCount: 0,
  warnings: data.warnings ?? noWarnings,
  updatedAt: at,
  revision: 0,
  deadlineSetAt: { response: 0 },
});

export const noInput = new Error('a case starts with its CaseOpened event as input');

/**
 * The machine's context: the case record under one member. XState copies the context with
 * `Object.assign` on every `assign`; with one member that copy is trivial, and each action
 * builds the next record with a spread, which V8 clones in one step (replay cost roughly
 * halved; bench/audit).
 */
export interface CaseMachineContext {
  readonly case: CaseContext;
}
