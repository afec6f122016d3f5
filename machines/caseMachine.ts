import { assertEvent, assign, setup } from 'xstate';
import type { CaseEventType } from '../src/domain/case/stream/caseEvents.js';
import { lowerSeverity } from '../src/domain/policy/severity.js';
import {
  ms,
  noInput,
  openedContext,
  replaceWarnings,
  type CaseMachineContext,
  type CaseMachineEvent,
  type EventOf,
} from './caseMachineContext.js';
import {
  clockAccepts,
  clockAtRiskPending,
  moveClock,
  recordClockAtRisk,
  type ClockEvent,
} from './targetClockMoves.js';

/*
 * Over 300 lines, on purpose: one machine definition (its guards, actions and states), which is
 * read and reviewed as a whole; its context, step, graph and the clock moves are already files
 * of their own beside it.
 */

/**
 * Bumped whenever the machine's accepted histories change; recorded on every event. v2 accepts
 * the SLA target events (`SlaTargetAtRisk`, …) and every v1 history unchanged.
 */
export const CASE_MACHINE_VERSION = 2;

/** What every accepted event does before its own actions: the bookkeeping of a recorded event. */
const RECORD = 'record';

type CaseAction =
  | 'assignAgent'
  | 'recordFirstResponse'
  | 'startWaiting'
  | 'stopWaiting'
  | 'recordBreach'
  | 'recordAtRisk'
  | 'moveClock'
  | 'changeSeverity'
  | 'downgrade'
  | 'resolve'
  | 'reopen'
  | 'close'
  | 'recordSurvey';
type CaseGuard =
  | 'notBreached'
  | 'noSurveyYet'
  | 'fromCurrentSeverity'
  | 'oneLevelDown'
  | 'atRiskPending'
  | 'furtherAtRiskPending'
  | 'clockAccepts';

/** How a state accepts an event: where it goes (if anywhere), on which condition, doing what. */
interface Accepts {
  readonly target?: string;
  readonly guard?: CaseGuard;
  readonly actions?: readonly CaseAction[];
}

/**
 * The events a state accepts. Every accepted event is one more recorded event of the case, so
 * each transition first runs `record` (revision and `updatedAt`), then its own actions: the
 * bookkeeping is written here once, not in every transition.
 */
const accepts = (on: { readonly [K in CaseEventType]?: Accepts }) => {
  const transitions: {
    [type: string]: { target?: string; guard?: CaseGuard; actions: (CaseAction | 'record')[] };
  } = {};
  for (const [type, accepted] of Object.entries(on)) {
    transitions[type] = { ...accepted, actions: [RECORD, ...(accepted.actions ?? [])] };
  }
  return transitions;
};

/** The further targets' clock events: accepted wherever a clock may move (not once closed). */
const clockMoves: { readonly [K in ClockEvent['type']]: Accepts } = {
  SlaTargetStarted: { guard: 'clockAccepts', actions: ['moveClock'] },
  SlaTargetPaused: { guard: 'clockAccepts', actions: ['moveClock'] },
  SlaTargetResumed: { guard: 'clockAccepts', actions: ['moveClock'] },
  SlaTargetStopped: { guard: 'clockAccepts', actions: ['moveClock'] },
  NextReplyDeadlineBreached: { guard: 'clockAccepts', actions: ['moveClock'] },
  PeriodicUpdateDeadlineBreached: { guard: 'clockAccepts', actions: ['moveClock'] },
  ResolutionDeadlineBreached: { guard: 'clockAccepts', actions: ['moveClock'] },
};
const furtherAtRisk: Accepts = { guard: 'furtherAtRiskPending', actions: ['recordAtRisk'] };

export const caseMachine = setup({
  types: {
    context: {} as CaseMachineContext,
    events: {} as CaseMachineEvent,
    input: {} as EventOf<'CaseOpened'>,
  },
  guards: {
    notBreached: ({ context }) => !context.case.breached,
    noSurveyYet: ({ context }) => !context.case.surveySubmitted,
    // Once per clock, while it runs and has not breached (the response clock runs in `opened`).
    atRiskPending: ({ context: { case: c }, event }) => {
      assertEvent(event, 'SlaTargetAtRisk');
      const { target } = event.data;
      return target === 'response'
        ? c.responseAtRisk !== undefined && !c.responseAtRisk.recorded && !c.breached
        : clockAtRiskPending(c, target);
    },
    furtherAtRiskPending: ({ context: { case: c }, event }) => {
      assertEvent(event, 'SlaTargetAtRisk');
      const { target } = event.data;
      return target !== 'response' && clockAtRiskPending(c, target);
    },
    clockAccepts: ({ context: { case: c }, event }) => clockAccepts(c, event as ClockEvent),
    fromCurrentSeverity: ({ context, event }) => {
      assertEvent(event, 'SeverityChanged');
      return event.data.from === context.case.severity;
    },
    oneLevelDown: ({ context, event }) => {
      assertEvent(event, 'SeverityDowngraded');
      return (
        event.data.from === context.case.severity &&
        event.data.to === lowerSeverity(context.case.severity)
      );
    },
  },
  actions: {
    [RECORD]: assign(({ context: { case: c }, event }) => ({
      case: { ...c, updatedAt: event.at, revision: c.revision + 1 },
    })),
    assignAgent: assign(({ context: { case: c }, event }) => {
      assertEvent(event, 'CaseAssigned');
      return { case: { ...c, assignee: event.data.agent } };
    }),
    // Only from `opened`, which no response has left yet.
    recordFirstResponse: assign(({ context: { case: c }, event }) => {
      assertEvent(event, ['AgentResponded', 'CustomerInfoRequested']);
      return {
        case: {
          ...c,
          firstResponseAt: event.at,
          respondedWithinTarget: event.data.firstResponse?.withinTarget ?? !c.breached,
        },
      };
    }),
    startWaiting: assign(({ context: { case: c }, event }) => {
      assertEvent(event, 'CustomerInfoRequested');
      return {
        case: {
          ...c,
          awaitingSince: event.at,
          nonresponseDueAt: ms(event.data.nonresponseDueAt),
          deadlineSetAt: { ...c.deadlineSetAt, nonresponse: c.revision },
          warnings: replaceWarnings(c.warnings, 'customer-nonresponse', event.data.warnings),
        },
      };
    }),
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
    recordAtRisk: assign(({ context: { case: c }, event }) => {
      assertEvent(event, 'SlaTargetAtRisk');
      const { target } = event.data;
      const risk = c.responseAtRisk;
      if (target !== 'response') return { case: recordClockAtRisk(c, target) };
      return {
        case: risk === undefined ? c : { ...c, responseAtRisk: { ...risk, recorded: true } },
      };
    }),
    moveClock: assign(({ context: { case: c }, event }) => ({
      case: moveClock(c, event as ClockEvent),
    })),
    changeSeverity: assign(({ context: { case: c }, event }) => {
      assertEvent(event, 'SeverityChanged');
      const { responseDueAt, nonresponseDueAt, responseAtRisk } = event.data;
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
          // The response clock's at-risk instant moves with its due instant; a warning already
          // recorded stays recorded (once per clock).
          responseAtRisk:
            responseDueAt === undefined
              ? c.responseAtRisk
              : responseAtRisk === undefined
                ? c.responseAtRisk?.recorded === true
                  ? c.responseAtRisk
                  : undefined
                : {
                    share: responseAtRisk.share,
                    at: ms(responseAtRisk.at),
                    recorded: c.responseAtRisk?.recorded ?? false,
                  },
          nonresponseDueAt:
            nonresponseDueAt !== undefined ? ms(nonresponseDueAt) : c.nonresponseDueAt,
        },
      };
    }),
    downgrade: assign(({ context: { case: c }, event }) => {
      assertEvent(event, 'SeverityDowngraded');
      return {
        case: {
          ...c,
          severity: event.data.to,
          // The downgrade starts a new waiting period: the silence before it is spent.
          awaitingSince: event.at,
          nonresponseDueAt: ms(event.data.nonresponseDueAt),
          downgradeCount: c.downgradeCount + 1,
          deadlineSetAt: { ...c.deadlineSetAt, nonresponse: c.revision },
          warnings: replaceWarnings(c.warnings, 'customer-nonresponse', event.data.warnings),
        },
      };
    }),
    resolve: assign(({ context: { case: c }, event }) => {
      assertEvent(event, ['CaseResolved', 'CaseWithdrawn']);
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
    // `active`: the case is being worked on (the agent queue's workload counts these).
    opened: {
      tags: 'active',
      on: accepts({
        CaseAssigned: { actions: ['assignAgent'] },
        AgentResponded: { target: 'responded', actions: ['recordFirstResponse'] },
        CustomerInfoRequested: {
          target: 'waiting.awaitingCustomer',
          actions: ['recordFirstResponse', 'startWaiting'],
        },
        ResponseDeadlineBreached: { guard: 'notBreached', actions: ['recordBreach'] },
        SlaTargetAtRisk: { guard: 'atRiskPending', actions: ['recordAtRisk'] },
        ...clockMoves,
        SeverityChanged: { guard: 'fromCurrentSeverity', actions: ['changeSeverity'] },
        NoteAdded: {},
        CaseResolved: { target: 'resolved', actions: ['resolve'] },
        CaseWithdrawn: { target: 'resolved', actions: ['resolve'] },
      }),
    },
    responded: {
      tags: 'active',
      on: accepts({
        CaseAssigned: { actions: ['assignAgent'] },
        AgentResponded: { target: 'responded' },
        CustomerInfoRequested: { target: 'waiting.awaitingCustomer', actions: ['startWaiting'] },
        SeverityChanged: { guard: 'fromCurrentSeverity', actions: ['changeSeverity'] },
        NoteAdded: {},
        CaseResolved: { target: 'resolved', actions: ['resolve'] },
        CaseWithdrawn: { target: 'resolved', actions: ['resolve'] },
        SlaTargetAtRisk: furtherAtRisk,
        ...clockMoves,
      }),
    },
    // Waiting on the customer: asked for information, or downgraded after silence. Both
    // accept the same events; the downgrade starts a new waiting period.
    waiting: {
      tags: 'active',
      initial: 'awaitingCustomer',
      states: { awaitingCustomer: {}, downgraded: {} },
      on: accepts({
        CaseAssigned: { actions: ['assignAgent'] },
        AgentResponded: { target: 'responded', actions: ['stopWaiting'] },
        CustomerInfoRequested: { target: '.awaitingCustomer', actions: ['startWaiting'] },
        CustomerResponded: { target: 'responded', actions: ['stopWaiting'] },
        SeverityChanged: { guard: 'fromCurrentSeverity', actions: ['changeSeverity'] },
        SeverityDowngraded: {
          target: '.downgraded',
          guard: 'oneLevelDown',
          actions: ['downgrade'],
        },
        NoteAdded: {},
        CaseResolved: { target: 'resolved', actions: ['stopWaiting', 'resolve'] },
        CaseWithdrawn: { target: 'resolved', actions: ['stopWaiting', 'resolve'] },
        SlaTargetAtRisk: furtherAtRisk,
        ...clockMoves,
      }),
    },
    resolved: {
      on: accepts({
        CaseAssigned: { actions: ['assignAgent'] },
        NoteAdded: {},
        CaseReopened: { target: 'responded', actions: ['reopen'] },
        CaseClosed: { target: 'closed', actions: ['close'] },
        SurveySubmitted: { guard: 'noSurveyYet', actions: ['recordSurvey'] },
        ...clockMoves,
      }),
    },
    // Final in the lifecycle (no way out), but not an XState final state: notes and the one
    // survey may still be recorded on a closed case.
    closed: {
      on: accepts({
        NoteAdded: {},
        SurveySubmitted: { guard: 'noSurveyYet', actions: ['recordSurvey'] },
      }),
    },
  },
});
