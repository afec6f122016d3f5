import type { AnyStateNode, SnapshotFrom, StateValue } from 'xstate';
import { caseMachine } from '../../../machines/caseMachine.js';
import type { CommandType } from './caseCommands.js';
import type { CaseEventType } from './stream/caseEvents.js';

/*
 * The case lifecycle as the machine (machines/caseMachine.ts) defines it: nothing here lists
 * states or transitions again, it reads them off the statechart once.
 */

type Leaves<V> = V extends string ? V : V extends Record<string, infer C> ? Leaves<C> : never;

/** A lifecycle state as the API, the CLI and the read models name it: a leaf of the statechart. */
export type CaseStateName = Leaves<SnapshotFrom<typeof caseMachine>['value']>;

interface Leaf {
  readonly name: CaseStateName;
  /** Event types the state accepts: its own transitions and those of the states around it. */
  readonly accepts: ReadonlySet<string>;
  readonly active: boolean;
}

const leavesOf = (node: AnyStateNode, around: readonly AnyStateNode[] = []): Leaf[] => {
  const children = Object.values(node.states);
  const path = [...around, node];
  if (children.length > 0) return children.flatMap((child) => leavesOf(child, path));
  return [
    {
      name: node.key as CaseStateName,
      accepts: new Set(path.flatMap((n): readonly string[] => n.ownEvents as string[])),
      active: path.some((n) => n.tags.includes('active')),
    },
  ];
};

const leaves = Object.values(caseMachine.root.states).flatMap((node) => leavesOf(node));

/** Every lifecycle state, in the statechart's order. */
export const caseStates: readonly CaseStateName[] = leaves.map((l) => l.name);

/** The states in which a case is being worked on (tagged `active` in the statechart). */
export const activeStates: readonly CaseStateName[] = leaves
  .filter((l) => l.active)
  .map((l) => l.name);

/** The lifecycle state of a machine snapshot: the leaf its state value ends in. */
export const stateOf = (value: StateValue): CaseStateName => {
  let state = value;
  while (typeof state !== 'string') {
    for (const key in state) {
      state = state[key] as StateValue;
      break;
    }
  }
  return state as CaseStateName;
};

/** The event each command records when it is carried out (the checks record what they find). */
const recordedBy = {
  assign: 'CaseAssigned',
  respond: 'AgentResponded',
  requestInfo: 'CustomerInfoRequested',
  customerReply: 'CustomerResponded',
  changeSeverity: 'SeverityChanged',
  addNote: 'NoteAdded',
  resolve: 'CaseResolved',
  withdraw: 'CaseWithdrawn',
  reopen: 'CaseReopened',
  submitSurvey: 'SurveySubmitted',
} as const satisfies Partial<Record<CommandType, CaseEventType>>;

const allowed = new Map<CommandType, readonly CaseStateName[]>(
  Object.entries(recordedBy).map(([command, event]) => [
    command as CommandType,
    leaves.filter((l) => l.accepts.has(event)).map((l) => l.name),
  ]),
);

/**
 * The states in which `command` may be issued: those whose statechart accepts the event it
 * records. Undefined for the commands allowed in every state: `open` (no case yet) and the
 * timers' checks, which record nothing when their condition no longer holds.
 */
export const allowedStates = (command: CommandType): readonly CaseStateName[] | undefined =>
  allowed.get(command);
