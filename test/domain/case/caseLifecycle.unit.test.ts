import { describe, expect, it } from 'vitest';
import { activeStates, allowedStates, caseStates } from '../../../src/domain/case/caseLifecycle.js';
import { commandTypes } from '../../../src/domain/case/caseCommands.js';

describe('the case lifecycle, read off the statechart', () => {
  it('names the leaf states in order, and the active ones', () => {
    expect(caseStates).toEqual([
      'opened',
      'responded',
      'awaitingCustomer',
      'downgraded',
      'resolved',
      'closed',
    ]);
    expect(activeStates).toEqual(['opened', 'responded', 'awaitingCustomer', 'downgraded']);
  });

  it('allows each command in the states that accept the event it records', () => {
    const allowed = Object.fromEntries(commandTypes.map((c) => [c, allowedStates(c)]));
    expect(allowed).toEqual({
      open: undefined,
      assign: ['opened', 'responded', 'awaitingCustomer', 'downgraded', 'resolved'],
      respond: activeStates,
      requestInfo: activeStates,
      customerReply: ['awaitingCustomer', 'downgraded'],
      changeSeverity: activeStates,
      addNote: caseStates,
      resolve: activeStates,
      withdraw: activeStates,
      reopen: ['resolved'],
      submitSurvey: ['resolved', 'closed'],
      checkResponseDeadline: undefined,
      checkCustomerNonresponse: undefined,
      checkAutoClose: undefined,
      checkSlaTargets: undefined,
    });
  });
});
