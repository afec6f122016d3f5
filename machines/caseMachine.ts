import { assign, setup } from 'xstate';
import type { CaseEvent, CaseEventOf, CaseEventType } from '../src/domain/caseEvents.js';
import { lowerSeverity } from '../src/domain/severity.js';
import type { CaseContext } from './caseContext.js';

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
  surveySubmitted: false,
  reopenCount: 0,
  downgradeCount: 0,
  updatedAt: at,
  revision: 0,
  deadlineSetAt: { response: 0 },
});

const noInput = new Error('a case starts with its CaseOpened event as input');

/**
 * The case lifecycle of DESIGN.md §4. Its events are the case's stored events (facts), so
 * rebuilding a case is folding its stream through `transition`; guards reject histories the
 * lifecycle does not allow (which is what an auditor's replay checks). Deciding which events a
 * command produces lives in `src/domain/decideCase.ts`, which asks this machine whether the
 * events it wants to record are accepted.
 */
export const caseMachine = setup({
  types: {
    context: {} as CaseContext,
    events: {} as CaseMachineEvent,
    input: {} as EventOf<'CaseOpened'>,
  },
  guards: {
    notBreached: ({ context }) => !context.breached,
    noSurveyYet: ({ context }) => !context.surveySubmitted,
    fromCurrentSeverity: ({ context, event }) =>
      event.type === 'SeverityChanged' && event.data.from === context.severity,
    oneLevelDown: ({ context, event }) =>
      event.type === 'SeverityDowngraded' &&
      event.data.from === context.severity &&
      event.data.to === lowerSeverity(context.severity),
  },
  actions: {
    touch: assign(({ context, event }) => ({
      updatedAt: event.at,
      revision: context.revision + 1,
    })),
    assignAgent: assign({
      assignee: ({ context, event }) =>
        event.type === 'CaseAssigned' ? event.data.agent : context.assignee,
    }),
    recordFirstResponse: assign(({ context, event }) =>
      context.firstResponseAt === undefined &&
      (event.type === 'AgentResponded' || event.type === 'CustomerInfoRequested')
        ? {
            firstResponseAt: event.at,
            respondedWithinTarget: event.data.firstResponse?.withinTarget ?? !context.breached,
          }
        : {},
    ),
    startWaiting: assign(({ context, event }) =>
      event.type === 'CustomerInfoRequested'
        ? {
            awaitingSince: event.at,
            nonresponseDueAt: ms(event.data.nonresponseDueAt),
            deadlineSetAt: { ...context.deadlineSetAt, nonresponse: context.revision },
          }
        : {},
    ),
    stopWaiting: assign(({ context }) => ({
      awaitingSince: undefined,
      nonresponseDueAt: undefined,
      deadlineSetAt: { response: context.deadlineSetAt.response },
    })),
    recordBreach: assign({ breached: true }),
    changeSeverity: assign(({ context, event }) => {
      if (event.type !== 'SeverityChanged') return {};
      const { responseDueAt, nonresponseDueAt } = event.data;
      return {
        deadlineSetAt: {
          ...context.deadlineSetAt,
          ...(responseDueAt !== undefined && { response: context.revision }),
          ...(nonresponseDueAt !== undefined && { nonresponse: context.revision }),
        },
        severity: event.data.to,
        responseDueAt:
          event.data.responseDueAt !== undefined
            ? ms(event.data.responseDueAt)
            : context.responseDueAt,
        nonresponseDueAt:
          event.data.nonresponseDueAt !== undefined
            ? ms(event.data.nonresponseDueAt)
            : context.nonresponseDueAt,
      };
    }),
    downgrade: assign(({ context, event }) =>
      event.type === 'SeverityDowngraded'
        ? {
            severity: event.data.to,
            nonresponseDueAt: ms(event.data.nonresponseDueAt),
            downgradeCount: context.downgradeCount + 1,
            deadlineSetAt: { ...context.deadlineSetAt, nonresponse: context.revision },
          }
        : {},
    ),
    resolve: assign(({ context, event }) => {
      const deadlineSetAt = {
        response: context.deadlineSetAt.response,
        autoClose: context.revision,
      };
      if (event.type === 'CaseResolved') {
        return {
          deadlineSetAt,
          resolvedAt: event.at,
          resolution: event.data.reason,
          autoCloseAt: ms(event.data.autoCloseAt),
        };
      }
      if (event.type === 'CaseWithdrawn') {
        return {
          deadlineSetAt,
          resolvedAt: event.at,
          resolution: 'withdrawn' as const,
          autoCloseAt: ms(event.data.autoCloseAt),
        };
      }
      return {};
    }),
    reopen: assign(({ context }) => ({
      deadlineSetAt: { response: context.deadlineSetAt.response },
      resolvedAt: undefined,
      resolution: undefined,
      autoCloseAt: undefined,
      reopenCount: context.reopenCount + 1,
    })),
    close: assign(({ event }) => ({ closedAt: event.at })),
    recordSurvey: assign({ surveySubmitted: true }),
  },
}).createMachine({
  id: 'case',
  initial: 'opened',
  context: ({ input }) => {
    // XState's pure `transition` first builds a throwaway actor without input and discards
    // its initial state; refusing it early is cheapest, with an error made once (no stack
    // trace captured per transition).
    if (input === undefined) throw noInput;
    return openedContext(input);
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
