import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/domain/actor.js';
import { allowedCommands } from '../../../src/domain/case/allowedCommands.js';
import type { CaseSnapshot } from '../../../src/domain/case/rebuildCase.js';

/** Only what allowedCommands reads of a snapshot: the state and a few context fields. */
const snapshot = (
  state: CaseSnapshot['state'],
  context: Partial<CaseSnapshot['context']> = {},
): CaseSnapshot =>
  ({
    state,
    context: { caseId: 'c1', tenant: { id: 'contoso' }, surveySubmitted: false, ...context },
  }) as unknown as CaseSnapshot;

const ada: Actor = { role: 'customer-admin', tenant: 'contoso', id: 'ada' };
const bo: Actor = { role: 'customer-admin', tenant: 'fabrikam', id: 'bo' };
const cy: Actor = { role: 'customer-user', tenant: 'contoso', id: 'cy' };
const li: Actor = { role: 'agent', id: 'li' };
const audrey: Actor = { role: 'auditor', id: 'audrey' };

describe('allowedCommands: the machine’s states and the roles, never a table of its own', () => {
  it('an agent on an opened case: everything but the customer’s commands', () => {
    expect(allowedCommands(snapshot('opened'), li, 0)).toEqual([
      'assign',
      'respond',
      'requestInfo',
      'changeSeverity',
      'addNote',
      'resolve',
    ]);
  });

  it('the customer admin: reply only while waiting; withdraw while active', () => {
    expect(allowedCommands(snapshot('opened'), ada, 0)).toEqual(['withdraw']);
    expect(allowedCommands(snapshot('awaitingCustomer'), ada, 0)).toEqual([
      'customerReply',
      'withdraw',
    ]);
    expect(allowedCommands(snapshot('downgraded'), ada, 0)).toEqual(['customerReply', 'withdraw']);
  });

  it('resolved: reopen inside the window, one survey; closed: the survey only', () => {
    const resolved = snapshot('resolved', { autoCloseAt: 1_000 });
    expect(allowedCommands(resolved, ada, 999)).toEqual(['reopen', 'submitSurvey']);
    expect(allowedCommands(resolved, ada, 1_000)).toEqual(['submitSurvey']);
    expect(allowedCommands(snapshot('closed', { surveySubmitted: true }), ada, 0)).toEqual([]);
    expect(allowedCommands(snapshot('closed'), li, 0)).toEqual(['addNote']);
  });

  it('nothing for readers, customer users, or another tenant’s admin', () => {
    for (const actor of [cy, audrey, bo]) {
      expect(allowedCommands(snapshot('awaitingCustomer'), actor, 0)).toEqual([]);
    }
  });
});
