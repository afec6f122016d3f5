import { createActor, type ActorScope, type SnapshotFrom } from 'xstate';
import { caseMachine } from './caseMachine.js';
import type { CaseMachineEvent } from './caseMachineContext.js';

type CaseMachineSnapshot = SnapshotFrom<typeof caseMachine>;
type CaseActorScope = Parameters<typeof caseMachine.transition>[2];

const ignore = () => undefined;

/**
 * XState's pure `transition` and `initialTransition` build a throwaway actor and actor system
 * on every call, which was two thirds of a transition's cost here. The case machine spawns no
 * actors and its actions are never executed (replay discards them, the command handler only
 * keeps the events), so one inert scope, never started, serves every step: the same scope
 * `transition` builds, made once.
 */
const inertScope: CaseActorScope = (() => {
  // Without input, as in XState's own inert scope: its context factory stops at once.
  const self = createActor(caseMachine, { input: undefined });
  const scope: ActorScope<CaseMachineSnapshot, CaseMachineEvent> = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    defer: ignore,
    logger: ignore,
    stopChild: ignore,
    emit: ignore,
    actionExecutor: ignore,
  };
  return scope;
})();

/** The machine's first snapshot, from a case's `CaseOpened` event. Pure. */
export const initialCaseSnapshot = (
  opened: Extract<CaseMachineEvent, { type: 'CaseOpened' }>,
): CaseMachineSnapshot => caseMachine.getInitialSnapshot(inertScope, opened);

/** The snapshot after `event` (the same snapshot if the machine ignores it). Pure. */
export const nextCaseSnapshot = (
  snapshot: CaseMachineSnapshot,
  event: CaseMachineEvent,
): CaseMachineSnapshot => caseMachine.transition(snapshot, event, inertScope);
