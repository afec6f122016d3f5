import { describe, expect, it } from 'vitest';
import { caseMachineGraph } from '../../machines/caseMachineGraph.js';

describe('caseMachineGraph: the lifecycle drawn from the machine itself', () => {
  const graph = caseMachineGraph();
  const edges = graph.transitions.map((t) => `${t.from} -${t.event}-> ${t.to}`);

  it('has the states of the lifecycle, opened first', () => {
    expect(graph.initial).toBe('opened');
    expect(graph.states).toEqual([
      'opened',
      'responded',
      'awaitingCustomer',
      'downgraded',
      'resolved',
      'closed',
    ]);
  });

  it('has the transitions of the lifecycle and none out of closed', () => {
    expect(edges).toEqual(
      expect.arrayContaining([
        'opened -AgentResponded-> responded',
        'opened -CustomerInfoRequested-> awaitingCustomer',
        'responded -CustomerInfoRequested-> awaitingCustomer',
        'awaitingCustomer -CustomerResponded-> responded',
        'awaitingCustomer -SeverityDowngraded-> downgraded',
        'downgraded -CustomerResponded-> responded',
        'opened -CaseWithdrawn-> resolved',
        'downgraded -CaseResolved-> resolved',
        'resolved -CaseReopened-> responded',
        'resolved -CaseClosed-> closed',
      ]),
    );
    expect(graph.transitions.filter((t) => t.from === 'closed')).toEqual([]);
    expect(graph.transitions.filter((t) => t.from === t.to)).toEqual([]);
    expect(edges).toHaveLength(19);
  });
});
