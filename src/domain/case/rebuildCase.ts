import type { SnapshotFrom } from 'xstate';
import type { CaseContext } from './stream/caseContext.js';
import type { caseMachine } from '../../../machines/caseMachine.js';
import type { CaseMachineEvent } from '../../../machines/caseMachineContext.js';
import { initialCaseSnapshot, nextCaseSnapshot } from '../../../machines/caseMachineStep.js';
import { invalidTransition, type DocketError } from '../docketError.js';
import { err, ok, type Result } from '../result.js';
import { stateOf, type CaseStateName } from './caseLifecycle.js';

/** A case rebuilt from its stream: lifecycle state, context and the revision of its last event. */
export interface CaseSnapshot {
  readonly state: CaseStateName;
  readonly context: CaseContext;
  /** Revision of the last event applied (0 for a stream holding only `CaseOpened`). */
  readonly revision: number;
  readonly machineSnapshot: SnapshotFrom<typeof caseMachine>;
}

const wrap = (machineSnapshot: SnapshotFrom<typeof caseMachine>): CaseSnapshot => ({
  state: stateOf(machineSnapshot.value),
  context: machineSnapshot.context.case,
  revision: machineSnapshot.context.case.revision,
  machineSnapshot,
});

/**
 * Applies one stored event with XState's pure transition. The actions it returns are
 * discarded: replay never re-runs side effects. An event the machine does not accept in the
 * current state is reported, not applied.
 */
export const applyCaseEvent = (
  snapshot: CaseSnapshot | undefined,
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

/** Folds a whole stream; `undefined` for an empty one. */
export const rebuildCase = (
  events: Iterable<CaseMachineEvent>,
): Result<CaseSnapshot | undefined, DocketError> => {
  let snapshot: CaseSnapshot | undefined;
  for (const event of events) {
    const applied = applyCaseEvent(snapshot, event);
    if (!applied.ok) return applied;
    snapshot = applied.value;
  }
  return ok(snapshot);
};
