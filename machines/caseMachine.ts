import { assign, setup } from 'xstate';
import type {
  CaseEvent,
  CaseEventOf,
  CaseEventType,
} from '../src/domain/case/stream/caseEvents.js';
import type { DeadlineWarning } from '../src/domain/policy/calendarHorizon.js';
import { lowerSeverity } from '../src/domain/policy/severity.js';
import type { CaseContext } from '../src/domain/case/stream/caseContext.js';

/** Bumped whenever the machine's accepted histories change; recorded on every event. */
export const CASE_MACHINE_VERSION = 1;

/** A stored event as the machine sees it: the event and the instant it occurred (epoch ms). */
export type CaseMachineEvent = CaseEvent & { readonly at: number };
type EventOf<K extends CaseEventType> = CaseEventOf<K> & { readonly at: number };

export const caseStates = [
  'opened',
  'responded',
  'awaitingCustomer',
  'downgraded',
  'resolved',
  'closed',
] as const;
export type CaseStateName = (typeof caseStates)[number];
export const activeStates: readonly CaseStateName[] = [
  'opened',
  'responded',
  'awaitingCustomer',
  'downgraded',
];

const ms = (iso: string) => Date.parse(iso);

const noWarnings: readonly DeadlineWarning[] = [];
/** The warnings kept when the deadline `kind` is set anew (with `recorded`) or stops. */
const replaceWarnings = (
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
const openedContext = ({ data, at }: EventOf<'CaseOpened'>): CaseContext => ({
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

const noInput = new Error('a case starts with its CaseOpened event as input');

/**
 * The machine's context: the case record under one member. XState copies the context with
 * `Object.assign` on every `assign`; with one member that copy is trivial, and each action
 * builds the next record with a spread, which V8 clones in one step (replay cost roughly
 * halved; bench/audit).
 */
export interface CaseMachineContext {
  readonly case: CaseContext;
}

export const caseMachine = setup({
  types: {
    context: {} as CaseMachineContext,
    events: {} as CaseMachineEvent,
    input: {} as EventOf<'CaseOpened'>,
  },
  guards: {
    notBreached: ({ context }) => !context.case.breached,
    noSurveyYet: ({ context }) => !context.case.surveySubmitted,
    fromCurrentSeverity: ({ context, event }) =>
      event.type === 'SeverityChanged' && event.data.from === context.case.severity,
    oneLevelDown: ({ context, event }) =>
      event.type === 'SeverityDowngraded' &&
      event.data.from === context.case.severity &&
      event.data.to === lowerSeverity(context.case.severity),
  },
  actions: {
    touch: assign(({ context: { case: c }, event }) => ({
      case: { ...c, updatedAt: event.at, revision: c.revision + 1 },
    })),
    assignAgent: assign(({ context: { case: c }, event }) => ({
      case: event.type === 'CaseAssigned' ? { ...c, assignee: event.data.agent } : c,
    })),
    recordFirstResponse: assign(({ context: { case: c }, event }) => ({
      case:
        c.firstResponseAt === undefined &&
        (event.type === 'AgentResponded' || event.type === 'CustomerInfoRequested')
          ? {
              ...c,
              firstResponseAt: event.at,
              respondedWithinTarget: event.data.firstResponse?.withinTarget ?? !c.breached,
            }
          : c,
    })),
    startWaiting: assign(({ context: { case: c }, event }) => ({
      case:
        event.type === 'CustomerInfoRequested'
          ? {
              ...c,
              awaitingSince: event.at,
              nonresponseDueAt: ms(event.data.nonresponseDueAt),
              deadlineSetAt: { ...c.deadlineSetAt, nonresponse: c.revision },
              warnings: replaceWarnings(c.warnings, 'customer-nonresponse', event.data.warnings),
            }
          : c,
    })),
    stopWaiting: assign(({ context: { case: c } }) => ({
      case: {
        ...c,
        awaitingSince: undefined,
        nonresponseDueAt: undefined,
        deadlineSetAt: { response: c.deadlineSetAt.response },
        warnings: replaceWarnings(c.warnings, 'customer-nonresponse'),
      },
    })),
    recordBreach: assign(({ context: { case: c } }) => ({ case: { ...c, breached: true } })),
    changeSeverity: assign(({ context: { case: c }, event }) => {
      if (event.type !== 'SeverityChanged') return {};
      const { responseDueAt, nonresponseDueAt } = event.data;
      const moved =
        responseDueAt !== undefined
          ? 'response-deadline'
          : nonresponseDueAt !== undefined
            ? 'customer-nonresponse'
            : undefined;
      return {
        case: {
          ...c,
          warnings:
            moved === undefined
              ? c.warnings
              : replaceWarnings(c.warnings, moved, event.data.warnings),
          deadlineSetAt: {
            ...c.deadlineSetAt,
            ...(responseDueAt !== undefined && { response: c.revision }),
            ...(nonresponseDueAt !== undefined && { nonresponse: c.revision }),
          },
          severity: event.data.to,
          responseDueAt: responseDueAt !== undefined ? ms(responseDueAt) : c.responseDueAt,
          nonresponseDueAt:
            nonresponseDueAt !== undefined ? ms(nonresponseDueAt) : c.nonresponseDueAt,
        },
      };
    }),
    downgrade: assign(({ context: { case: c }, event }) => ({
      case:
        event.type === 'SeverityDowngraded'
          ? {
              ...c,
              severity: event.data.to,
              // The downgrade starts a new waiting period: the silence before it is spent.
              awaitingSince: event.at,
              nonresponseDueAt: ms(event.data.nonresponseDueAt),
              downgradeCount: c.downgradeCount + 1,
              deadlineSetAt: { ...c.deadlineSetAt, nonresponse: c.revision },
              warnings: replaceWarnings(c.warnings, 'customer-nonresponse', event.data.warnings),
            }
          : c,
    })),
    resolve: assign(({ context: { case: c }, event }) => {
      if (event.type !== 'CaseResolved' && event.type !== 'CaseWithdrawn') return {};
      return {
        case: {
          ...c,
          deadlineSetAt: { response: c.deadlineSetAt.response, autoClose: c.revision },
          resolvedAt: event.at,
          resolution: event.type === 'CaseResolved' ? event.data.reason : ('withdrawn' as const),
          autoCloseAt: ms(event.data.autoCloseAt),
        },
      };
    }),
    reopen: assign(({ context: { case: c } }) => ({
      case: {
        ...c,
        deadlineSetAt: { response: c.deadlineSetAt.response },
        resolvedAt: undefined,
        resolution: undefined,
        autoCloseAt: undefined,
        reopenCount: c.reopenCount + 1,
      },
    })),
    close: assign(({ context: { case: c }, event }) => ({ case: { ...c, closedAt: event.at } })),
    recordSurvey: assign(({ context: { case: c } }) => ({
      case: { ...c, surveySubmitted: true },
    })),
  },
}).createMachine({
  id: 'case',
  initial: 'opened',
  context: ({ input }) => {
    // XState's pure `transition` first builds a throwaway actor without input and discards
    // its initial state; refusing it early is cheapest, with an error made once (no stack
    // trace captured per transition).
    if (input === undefined) throw noInput;
    return { case: openedContext(input) };
  },
  states: {
    opened: {
      on: {
        CaseAssigned: { actions: ['touch', 'assignAgent'] },
        AgentResponded: { target: 'responded', actions: ['touch', 'recordFirstResponse'] },
        CustomerInfoRequested: {
          target: 'awaitingCustomer',
          actions: ['touch', 'recordFirstResponse', 'startWaiting'],
        },
        ResponseDeadlineBreached: { guard: 'notBreached', actions: ['touch', 'recordBreach'] },
        SeverityChanged: { guard: 'fromCurrentSeverity', actions: ['touch', 'changeSeverity'] },
        NoteAdded: { actions: 'touch' },
        CaseResolved: { target: 'resolved', actions: ['touch', 'resolve'] },
        CaseWithdrawn: { target: 'resolved', actions: ['touch', 'resolve'] },
      },
    },
    responded: {
      on: {
        CaseAssigned: { actions: ['touch', 'assignAgent'] },
        AgentResponded: { target: 'responded', actions: 'touch' },
        CustomerInfoRequested: { target: 'awaitingCustomer', actions: ['touch', 'startWaiting'] },
        SeverityChanged: { guard: 'fromCurrentSeverity', actions: ['touch', 'changeSeverity'] },
        NoteAdded: { actions: 'touch' },
        CaseResolved: { target: 'resolved', actions: ['touch', 'resolve'] },
        CaseWithdrawn: { target: 'resolved', actions: ['touch', 'resolve'] },
      },
    },
    awaitingCustomer: {
      on: {
        CaseAssigned: { actions: ['touch', 'assignAgent'] },
        AgentResponded: { target: 'responded', actions: ['touch', 'stopWaiting'] },
        CustomerInfoRequested: { target: 'awaitingCustomer', actions: ['touch', 'startWaiting'] },
        CustomerResponded: { target: 'responded', actions: ['touch', 'stopWaiting'] },
        SeverityChanged: { guard: 'fromCurrentSeverity', actions: ['touch', 'changeSeverity'] },
        SeverityDowngraded: {
          target: 'downgraded',
          guard: 'oneLevelDown',
          actions: ['touch', 'downgrade'],
        },
        NoteAdded: { actions: 'touch' },
        CaseResolved: { target: 'resolved', actions: ['touch', 'stopWaiting', 'resolve'] },
        CaseWithdrawn: { target: 'resolved', actions: ['touch', 'stopWaiting', 'resolve'] },
      },
    },
    downgraded: {
      on: {
        CaseAssigned: { actions: ['touch', 'assignAgent'] },
        AgentResponded: { target: 'responded', actions: ['touch', 'stopWaiting'] },
        CustomerInfoRequested: { target: 'awaitingCustomer', actions: ['touch', 'startWaiting'] },
        CustomerResponded: { target: 'responded', actions: ['touch', 'stopWaiting'] },
        SeverityChanged: { guard: 'fromCurrentSeverity', actions: ['touch', 'changeSeverity'] },
        SeverityDowngraded: {
          target: 'downgraded',
          guard: 'oneLevelDown',
          actions: ['touch', 'downgrade'],
        },
        NoteAdded: { actions: 'touch' },
        CaseResolved: { target: 'resolved', actions: ['touch', 'stopWaiting', 'resolve'] },
        CaseWithdrawn: { target: 'resolved', actions: ['touch', 'stopWaiting', 'resolve'] },
      },
    },
    resolved: {
      on: {
        CaseAssigned: { actions: ['touch', 'assignAgent'] },
        NoteAdded: { actions: 'touch' },
        CaseReopened: { target: 'responded', actions: ['touch', 'reopen'] },
        CaseClosed: { target: 'closed', actions: ['touch', 'close'] },
        SurveySubmitted: { guard: 'noSurveyYet', actions: ['touch', 'recordSurvey'] },
      },
    },
    // Final in the lifecycle (no way out), but not an XState final state: notes and the one
    // survey may still be recorded on a closed case.
    closed: {
      on: {
        NoteAdded: { actions: 'touch' },
        SurveySubmitted: { guard: 'noSurveyYet', actions: ['touch', 'recordSurvey'] },
      },
    },
  },
});
