import type { AnyStateNode } from 'xstate';
import { caseMachine } from './caseMachine.js';

/** A transition between two lifecycle states, named by the event that takes it. */
export interface CaseTransition {
  readonly from: string;
  readonly to: string;
  readonly event: string;
}

/** The case machine as a graph of the lifecycle states (DESIGN §4 names): what a statechart draws. */
export interface CaseMachineGraph {
  readonly initial: string;
  readonly states: readonly string[];
  readonly transitions: readonly CaseTransition[];
}

/** The leaf states under a node: a compound state (`waiting`) stands for its children. */
const leaves = (node: AnyStateNode): AnyStateNode[] => {
  const children = Object.values(node.states);
  return children.length === 0 ? [node] : children.flatMap(leaves);
};
const leafName = (node: AnyStateNode): string => node.path[node.path.length - 1] ?? node.key;

/**
 * Read from the machine itself, so the drawing can never disagree with it: every transition
 * that changes state. Events a state accepts without moving (notes, assignments) are left out;
 * a compound state's transitions are drawn from each of its children, and one to the compound
 * state itself goes to its initial child.
 */
export const caseMachineGraph = (): CaseMachineGraph => {
  const top = Object.values(caseMachine.root.states);
  const transitions: CaseTransition[] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string, event: string) => {
    const key = `${from}>${to}>${event}`;
    if (from === to || seen.has(key)) return;
    seen.add(key);
    transitions.push({ from, to, event });
  };
  for (const node of top)
    for (const leaf of leaves(node))
      for (const source of [node, ...(leaf === node ? [] : [leaf])])
        for (const [event, candidates] of source.transitions)
          for (const t of candidates)
            for (const target of t.target ?? [])
              add(leafName(leaf), leafName(target.initial?.target[0] ?? target), event);
  return {
    initial: leafName(caseMachine.root.initial.target[0]!),
    states: top.flatMap(leaves).map(leafName),
    transitions,
  };
};
