import type { SnapshotFrom } from 'xstate';
import type { caseMachine } from '../../../machines/caseMachine.js';
import type { CaseMachineEvent } from '../../../machines/caseMachineContext.js';
import { initialCaseSnapshot, nextCaseSnapshot } from '../../../machines/caseMachineStep.js';
import { DocketFault, FaultCode, invalidTransition, type DocketError } from '../docketError.js';
import { err, ok, type Result } from '../result.js';
import { stateOf, type CaseStateName } from './caseLifecycle.js';
import type { CaseContext } from './stream/caseContext.js';

/** A case rebuilt from its stream: lifecycle state, context and the revision of its last event. */
export interface CaseSnapshot {
  readonly state: CaseStateName;
  readonly context: CaseContext;
  /** Revision of the last event applied (0 for a stream holding only `CaseOpened`). */
  readonly revision: number;
  readonly machineSnapshot: SnapshotFrom<typeof caseMachine>;
}

/** A case stream as replayed so far: undefined before its `CaseOpened`. */
export type CaseState = CaseSnapshot | undefined;

const wrap = (machineSnapshot: SnapshotFrom<typeof caseMachine>): CaseSnapshot => ({
  state: stateOf(machineSnapshot.value),
  context: machineSnapshot.context.case,
  revision: machineSnapshot.context.case.revision,
  machineSnapshot,
});

/**
 * Applies one stored event with XState's pure transition. The actions it returns are
 * discarded: replay never re-runs side effects. An event the machine does not accept in the
 * current state is refused, not applied: for callers that report it (a decision the machine
 * overrules, an audit that lists broken histories).
 */
export const applyCaseEvent = (
  snapshot: CaseState,
  event: CaseMachineEvent,
): Result<CaseSnapshot, DocketError> => {
  if (snapshot === undefined) {
    if (event.type !== 'CaseOpened') {
      return err(invalidTransition(`a case stream must start with CaseOpened, not ${event.type}`));
    }
    return ok(wrap(initialCaseSnapshot(event)));
  }
  if (event.type === 'CaseOpened' || !snapshot.machineSnapshot.can(event)) {
    return err(
      invalidTransition(
        `${event.type} is not accepted in state ${snapshot.state} (after revision ${snapshot.revision})`,
      ),
    );
  }
  return ok(wrap(nextCaseSnapshot(snapshot.machineSnapshot, event)));
};

/** A case history the machine refuses: the log holds what this build cannot replay. */
export const caseNotReplayable = (caseId: string, reason: string): DocketFault =>
  new DocketFault(FaultCode.caseNotReplayable, `case ${caseId} cannot be replayed: ${reason}`);

/** Applies one recorded event; an event the machine refuses is a fault (`case-not-replayable`). */
export const evolveCase = (snapshot: CaseState, event: CaseMachineEvent): CaseSnapshot => {
  const applied = applyCaseEvent(snapshot, event);
  if (!applied.ok) {
    const caseId =
      snapshot?.context.caseId ?? (event.type === 'CaseOpened' ? event.data.caseId : '?');
    throw caseNotReplayable(caseId, applied.error.message);
  }
  return applied.value;
};

/**
 * Folds a whole stream; `undefined` for an empty one. A history the machine refuses is
 * reported (for audits and checks that list it); `replayCase` throws it instead.
 */
export const rebuildCase = (events: Iterable<CaseMachineEvent>): Result<CaseState, DocketError> => {
  let snapshot: CaseState;
  for (const event of events) {
    const applied = applyCaseEvent(snapshot, event);
    if (!applied.ok) return applied;
    snapshot = applied.value;
  }
  return ok(snapshot);
};

/** Folds a whole stream the log holds: a history the machine refuses is a fault. */
export const replayCase = (events: Iterable<CaseMachineEvent>): CaseState => {
  let snapshot: CaseState;
  for (const event of events) snapshot = evolveCase(snapshot, event);
  return snapshot;
};
