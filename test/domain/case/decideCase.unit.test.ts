import { describe, expect, it } from 'vitest';
import {
  ada,
  bo,
  cy,
  givenCase,
  li,
  openedEvent,
  timer,
  type GivenEvent,
} from '../../specs/caseSpec.js';

const opened = openedEvent(); // contoso, 21vianet technical B, Mon 2026-11-23 10:00 +08:00, due Tue 10:00
const responded: GivenEvent = {
  type: 'AgentResponded',
  at: '2026-11-23T11:00:00+08:00',
  data: {
    agent: 'li',
    message: 'On it',
    firstResponse: { withinTarget: true, elapsedMs: 3_600_000, businessElapsedMs: 3_600_000 },
  },
};
const asked: GivenEvent = {
  type: 'CustomerInfoRequested',
  at: '2026-11-23T12:00:00+08:00',
  data: { agent: 'li', message: 'Logs?', nonresponseDueAt: '2026-11-25T04:00:00.000Z' },
};
const resolved: GivenEvent = {
  type: 'CaseResolved',
  at: '2026-11-24T12:00:00+08:00',
  data: { reason: 'fixed', summary: 'Done', autoCloseAt: '2026-12-01T04:00:00.000Z' },
};
const closed: GivenEvent = { type: 'CaseClosed', at: '2026-12-01T12:00:00+08:00', data: {} };
const downgraded: GivenEvent = {
  type: 'SeverityDowngraded',
  at: '2026-11-25T12:00:00+08:00',
  data: {
    from: 'B',
    to: 'C',
    reason: 'customer-nonresponse',
    nonresponseDueAt: '2026-11-30T04:00:00.000Z',
  },
};

describe('respond and requestInfo (the first customer-visible response stops the clock)', () => {
  it('records a first response within target', () => {
    givenCase([opened])
      .when({
        type: 'respond',
        actor: li,
        at: '2026-11-23T11:00:00+08:00',
        input: { message: 'Looking' },
      })
      .then([
        {
          type: 'AgentResponded',
          data: {
            agent: 'li',
            firstResponse: {
              withinTarget: true,
              elapsedMs: 3_600_000,
              businessElapsedMs: 3_600_000,
            },
          },
        },
      ]);
  });

  it('a response at the due instant itself is within target ("1 business day or less")', () => {
    givenCase([opened])
      .when({
        type: 'respond',
        actor: li,
        at: '2026-11-24T10:00:00+08:00',
        input: { message: 'Looking' },
      })
      .then([
        {
          type: 'AgentResponded',
          data: { firstResponse: { withinTarget: true, businessElapsedMs: 15 * 3_600_000 } },
        },
      ]);
  });

  it('records a late first response as not within target', () => {
    givenCase([opened])
      .when({
        type: 'respond',
        actor: li,
        at: '2026-11-24T10:00:00.001+08:00',
        input: { message: 'Sorry' },
      })
      .then([{ type: 'AgentResponded', data: { firstResponse: { withinTarget: false } } }]);
  });

  it('later responses carry no first-response measure', () => {
    const decided = givenCase([opened, responded])
      .when({
        type: 'respond',
        actor: li,
        at: '2026-11-23T12:00:00+08:00',
        input: { message: 'More' },
      })
      .then([{ type: 'AgentResponded' }]);
    expect(decided.events[0]!.data).not.toHaveProperty('firstResponse');
  });

  it('requestInfo counts as the first response and starts the nonresponse period (B: 2 business days)', () => {
    givenCase([opened])
      .when({
        type: 'requestInfo',
        actor: li,
        at: '2026-11-23T12:00:00+08:00',
        input: { message: 'Logs?' },
      })
      .then([
        {
          type: 'CustomerInfoRequested',
          data: {
            nonresponseDueAt: '2026-11-25T04:00:00.000Z',
            firstResponse: { withinTarget: true },
          },
        },
      ]);
  });

  it('addNote is internal and stops no clock', () => {
    const decided = givenCase([opened])
      .when({
        type: 'addNote',
        actor: li,
        at: '2026-11-23T11:00:00+08:00',
        input: { text: 'Probably DNS' },
      })
      .then([{ type: 'NoteAdded' }]);
    expect(decided.next?.state).toBe('opened');
    expect(decided.next?.context.firstResponseAt).toBeUndefined();
  });

  it('only agents respond', () => {
    givenCase([opened])
      .when({
        type: 'respond',
        actor: ada,
        at: '2026-11-23T11:00:00+08:00',
        input: { message: 'x' },
      })
      .thenRefused('forbidden');
  });

  it('refuses to respond on a resolved or closed case', () => {
    givenCase([opened, resolved])
      .when({
        type: 'respond',
        actor: li,
        at: '2026-11-25T11:00:00+08:00',
        input: { message: 'x' },
      })
      .thenRefused('invalid-transition', /resolved/);
    givenCase([opened, resolved, closed])
      .when({
        type: 'requestInfo',
        actor: li,
        at: '2026-12-02T11:00:00+08:00',
        input: { message: 'x' },
      })
      .thenRefused('invalid-transition');
  });

  it('refuses an empty message', () => {
    givenCase([opened])
      .when({
        type: 'respond',
        actor: li,
        at: '2026-11-23T11:00:00+08:00',
        input: { message: '  ' },
      })
      .thenRefused('validation');
  });
});

describe('customerReply', () => {
  it('returns a waiting case to responded', () => {
    const decided = givenCase([opened, asked])
      .when({
        type: 'customerReply',
        actor: ada,
        at: '2026-11-23T13:00:00+08:00',
        input: { message: 'Attached' },
      })
      .then([{ type: 'CustomerResponded' }]);
    expect(decided.next?.state).toBe('responded');
  });

  it('returns a downgraded case to responded, keeping the lower severity', () => {
    const decided = givenCase([opened, asked, downgraded])
      .when({
        type: 'customerReply',
        actor: ada,
        at: '2026-11-26T13:00:00+08:00',
        input: { message: 'Back' },
      })
      .then([{ type: 'CustomerResponded' }]);
    expect(decided.next?.context.severity).toBe('C');
  });

  it('is refused when support is not waiting on the customer', () => {
    givenCase([opened, responded])
      .when({
        type: 'customerReply',
        actor: ada,
        at: '2026-11-23T13:00:00+08:00',
        input: { message: 'x' },
      })
      .thenRefused('invalid-transition');
  });

  it('is refused to a customer user (admins only) and hidden from other tenants', () => {
    givenCase([opened, asked])
      .when({
        type: 'customerReply',
        actor: cy,
        at: '2026-11-23T13:00:00+08:00',
        input: { message: 'x' },
      })
      .thenRefused('forbidden', /community forums/);
    givenCase([opened, asked])
      .when({
        type: 'customerReply',
        actor: bo,
        at: '2026-11-23T13:00:00+08:00',
        input: { message: 'x' },
      })
      .thenRefused('not-found');
  });
});

describe('changeSeverity', () => {
  it('in opened recomputes the due instant from the open instant', () => {
    givenCase([opened])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T11:00:00+08:00',
        input: { severity: 'C', reason: 'Single user' },
      })
      .then([
        {
          type: 'SeverityChanged',
          data: { from: 'B', to: 'C', responseDueAt: '2026-11-26T02:00:00.000Z' },
        },
      ]);
  });

  it('raising severity after the new due instant has passed records the breach at once', () => {
    givenCase([opened])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T12:00:00+08:00',
        input: { severity: 'A', reason: 'Everyone affected' },
      })
      .then([
        { type: 'SeverityChanged', data: { to: 'A', responseDueAt: '2026-11-23T03:00:00.000Z' } },
        { type: 'ResponseDeadlineBreached', data: { dueAt: '2026-11-23T03:00:00.000Z' } },
      ]);
  });

  it('never removes a recorded breach nor records a second one', () => {
    const breached: GivenEvent = {
      type: 'ResponseDeadlineBreached',
      at: '2026-11-24T10:00:00+08:00',
      data: { dueAt: '2026-11-24T02:00:00.000Z' },
    };
    const decided = givenCase([opened, breached])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-24T11:00:00+08:00',
        input: { severity: 'C', reason: 'Minor' },
      })
      .then([{ type: 'SeverityChanged' }]);
    expect(decided.next?.context.breached).toBe(true);
    givenCase([opened, breached])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-24T11:00:00+08:00',
        input: { severity: 'A', reason: 'Major' },
      })
      .then([{ type: 'SeverityChanged' }]);
  });

  it('while waiting on the customer recomputes the nonresponse period from the request', () => {
    givenCase([opened, asked])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T13:00:00+08:00',
        input: { severity: 'C', reason: 'Minor' },
      })
      // C: 5 business days of 15 h from Mon 12:00 Beijing → Sat 12:00 Beijing.
      .then([
        {
          type: 'SeverityChanged',
          data: { to: 'C', nonresponseDueAt: '2026-11-28T04:00:00.000Z' },
        },
      ]);
  });

  it('refuses A without an advanced agreement and A on billing', () => {
    const fab = openedEvent({
      actor: bo,
      tenant: { id: 'fabrikam', offering: '21vianet', advancedAgreement: false },
    });
    givenCase([fab])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T11:00:00+08:00',
        input: { severity: 'A', reason: 'x' },
      })
      .thenRefused('severity-not-offered', /advanced/);
    const billing = openedEvent({ line: 'billing', category: 'renewal' });
    givenCase([billing])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T11:00:00+08:00',
        input: { severity: 'A', reason: 'x' },
      })
      .thenRefused('severity-not-offered', /billing/);
  });

  it('refuses the current severity and a resolved case', () => {
    givenCase([opened])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T11:00:00+08:00',
        input: { severity: 'B', reason: 'x' },
      })
      .thenRefused('validation');
    givenCase([opened, resolved])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-25T11:00:00+08:00',
        input: { severity: 'C', reason: 'x' },
      })
      .thenRefused('invalid-transition');
  });
});

// Issue #13, defect 7: a downgrade starts a new waiting period; silence already punished by a
// downgrade is never counted again when the agent re-assesses severity.
describe('changeSeverity while downgraded counts from the downgrade', () => {
  const openedA = openedEvent({ severity: 'A', at: '2026-11-23T10:00:00+08:00' }); // 24×7, 1 h
  const askedA: GivenEvent = {
    type: 'CustomerInfoRequested',
    at: '2026-11-23T10:10:00+08:00',
    // A: 4 h on 24×7 → 14:10 Beijing.
    data: { agent: 'li', message: 'Logs?', nonresponseDueAt: '2026-11-23T06:10:00.000Z' },
  };
  const downgradedAB: GivenEvent = {
    type: 'SeverityDowngraded',
    at: '2026-11-23T14:10:00+08:00',
    // B: 2 business days of 15 h on 09:00–24:00 from Mon 14:10 → Wed 14:10 Beijing.
    data: {
      from: 'A',
      to: 'B',
      reason: 'customer-nonresponse',
      nonresponseDueAt: '2026-11-25T06:10:00.000Z',
    },
  };
  const history = [openedA, askedA, downgradedAB];

  it('the downgrade the timer records is the one these events describe', () => {
    givenCase([openedA, askedA])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: downgradedAB.at })
      .then([{ type: 'SeverityDowngraded', data: downgradedAB.data }]);
  });

  it('raising B→A at 15:00 runs A’s 4 h from the downgrade at 14:10: no second downgrade at once', () => {
    const changed = givenCase(history)
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T15:00:00+08:00',
        input: { severity: 'A', reason: 'Everyone affected again' },
      })
      .then([
        {
          type: 'SeverityChanged',
          data: { from: 'B', to: 'A', nonresponseDueAt: '2026-11-23T10:10:00.000Z' }, // 18:10
        },
      ]);
    expect(changed.next?.state).toBe('downgraded');
    const raised: GivenEvent = { ...changed.events[0]!, at: '2026-11-23T15:00:00+08:00' };
    // The timer the change sets is not due yet: the same instant records nothing…
    givenCase([...history, raised])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: raised.at })
      .then([]);
    // …and fires at 18:10, one level down from A.
    givenCase([...history, raised])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: '2026-11-23T18:10:00+08:00' })
      .then([{ type: 'SeverityDowngraded', data: { from: 'A', to: 'B' } }]);
  });

  it('lowering B→C at 15:00 runs C’s 5 business days from 14:10, not from the request at 10:10', () => {
    const changed = givenCase(history)
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T15:00:00+08:00',
        input: { severity: 'C', reason: 'Minor after all' },
      })
      // 9 h 50 min on Monday, 4 × 15 h, 5 h 10 min on Saturday → Sat 14:10 Beijing.
      .then([
        {
          type: 'SeverityChanged',
          data: { from: 'B', to: 'C', nonresponseDueAt: '2026-11-28T06:10:00.000Z' },
        },
      ]);
    const lowered: GivenEvent = { ...changed.events[0]!, at: '2026-11-23T15:00:00+08:00' };
    // Counted from 10:10 the case would resolve at Saturday 10:10: it does not.
    givenCase([...history, lowered])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: '2026-11-28T10:10:00+08:00' })
      .then([]);
    givenCase([...history, lowered])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: '2026-11-28T14:10:00+08:00' })
      .then([{ type: 'CaseResolved', data: { reason: 'customer-nonresponse' } }]);
  });

  it('a recomputed deadline already past fires at once, one level down from the new severity', () => {
    const changed = givenCase(history)
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T18:30:00+08:00',
        input: { severity: 'A', reason: 'Escalated' },
      })
      .then([{ type: 'SeverityChanged', data: { nonresponseDueAt: '2026-11-23T10:10:00.000Z' } }]);
    const raised: GivenEvent = { ...changed.events[0]!, at: '2026-11-23T18:30:00+08:00' };
    givenCase([...history, raised])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: raised.at })
      .then([
        {
          type: 'SeverityDowngraded',
          // B from 18:30: 5 h 30 min Monday, 15 h Tuesday, 9 h 30 min Wednesday → Wed 18:30.
          data: { from: 'A', to: 'B', nonresponseDueAt: '2026-11-25T10:30:00.000Z' },
        },
      ]);
  });

  it('a later request for information starts the period again', () => {
    const askedAgain: GivenEvent = {
      type: 'CustomerInfoRequested',
      at: '2026-11-23T16:00:00+08:00',
      data: { agent: 'li', message: 'Still?', nonresponseDueAt: '2026-11-25T08:00:00.000Z' },
    };
    givenCase([...history, askedAgain])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T17:00:00+08:00',
        input: { severity: 'A', reason: 'Escalated' },
      })
      .then([{ type: 'SeverityChanged', data: { nonresponseDueAt: '2026-11-23T12:00:00.000Z' } }]);
  });
});

describe('resolve, withdraw, reopen, survey, assign', () => {
  it('resolve sets the auto-close instant 7 days later', () => {
    givenCase([opened, responded])
      .when({
        type: 'resolve',
        actor: li,
        at: '2026-11-24T12:00:00+08:00',
        input: { reason: 'fixed', summary: 'Done' },
      })
      .then([
        {
          type: 'CaseResolved',
          data: { reason: 'fixed', autoCloseAt: '2026-12-01T04:00:00.000Z' },
        },
      ]);
  });

  it('the agent may not resolve with the engine’s or the customer’s reasons', () => {
    givenCase([opened])
      .when({
        type: 'resolve',
        actor: li,
        at: '2026-11-24T12:00:00+08:00',
        input: { reason: 'withdrawn', summary: 'x' },
      })
      .thenRefused('validation');
    givenCase([opened])
      .when({
        type: 'resolve',
        actor: li,
        at: '2026-11-24T12:00:00+08:00',
        input: { reason: 'customer-nonresponse', summary: 'x' },
      })
      .thenRefused('validation');
  });

  it('the customer admin withdraws an active case', () => {
    const decided = givenCase([opened])
      .when({
        type: 'withdraw',
        actor: ada,
        at: '2026-11-23T12:00:00+08:00',
        input: { reason: 'Fixed it ourselves' },
      })
      .then([{ type: 'CaseWithdrawn' }]);
    expect(decided.next?.state).toBe('resolved');
    expect(decided.next?.context.resolution).toBe('withdrawn');
  });

  it('reopen within the window returns the case to responded; after it, it is refused', () => {
    const decided = givenCase([opened, resolved])
      .when({
        type: 'reopen',
        actor: ada,
        at: '2026-11-30T12:00:00+08:00',
        input: { reason: 'It is back' },
      })
      .then([{ type: 'CaseReopened' }]);
    expect(decided.next?.state).toBe('responded');
    givenCase([opened, resolved])
      .when({ type: 'reopen', actor: ada, at: '2026-12-01T12:00:00+08:00', input: { reason: 'x' } })
      .thenRefused('invalid-transition', /window/);
    givenCase([opened, resolved, closed])
      .when({ type: 'reopen', actor: ada, at: '2026-12-01T13:00:00+08:00', input: { reason: 'x' } })
      .thenRefused('invalid-transition');
  });

  it('one survey per case, after resolution, rating 1–5', () => {
    const survey: GivenEvent = {
      type: 'SurveySubmitted',
      at: '2026-11-24T13:00:00+08:00',
      data: { rating: 5 },
    };
    givenCase([opened, resolved])
      .when({
        type: 'submitSurvey',
        actor: ada,
        at: '2026-11-24T13:00:00+08:00',
        input: { rating: 5, comment: 'Great' },
      })
      .then([{ type: 'SurveySubmitted', data: { rating: 5 } }]);
    givenCase([opened, resolved, closed])
      .when({
        type: 'submitSurvey',
        actor: ada,
        at: '2026-12-02T13:00:00+08:00',
        input: { rating: 3 },
      })
      .then([{ type: 'SurveySubmitted' }]);
    givenCase([opened, resolved, survey])
      .when({
        type: 'submitSurvey',
        actor: ada,
        at: '2026-11-24T14:00:00+08:00',
        input: { rating: 1 },
      })
      .thenRefused('invalid-transition', /already/);
    givenCase([opened])
      .when({
        type: 'submitSurvey',
        actor: ada,
        at: '2026-11-24T14:00:00+08:00',
        input: { rating: 4 },
      })
      .thenRefused('invalid-transition');
    givenCase([opened, resolved])
      .when({
        type: 'submitSurvey',
        actor: ada,
        at: '2026-11-24T14:00:00+08:00',
        input: { rating: 6 },
      })
      .thenRefused('validation');
  });

  it('assign works in any state but closed; notes in any state', () => {
    givenCase([opened, resolved])
      .when({ type: 'assign', actor: li, at: '2026-11-25T12:00:00+08:00', input: { agent: 'mei' } })
      .then([{ type: 'CaseAssigned', data: { agent: 'mei' } }]);
    givenCase([opened, resolved, closed])
      .when({ type: 'assign', actor: li, at: '2026-12-02T12:00:00+08:00', input: { agent: 'mei' } })
      .thenRefused('invalid-transition');
    givenCase([opened, resolved, closed])
      .when({
        type: 'addNote',
        actor: li,
        at: '2026-12-02T12:00:00+08:00',
        input: { text: 'Post-mortem filed' },
      })
      .then([{ type: 'NoteAdded' }]);
  });

  it('unknown cases are not found', () => {
    givenCase([])
      .when({
        type: 'respond',
        actor: li,
        at: '2026-11-23T11:00:00+08:00',
        input: { message: 'x' },
      })
      .thenRefused('not-found');
  });
});

describe('timer checks', () => {
  it('checkResponseDeadline records one breach once the due instant has passed', () => {
    const decided = givenCase([opened])
      .when({ type: 'checkResponseDeadline', actor: timer, at: '2026-11-24T10:00:00+08:00' })
      .then([{ type: 'ResponseDeadlineBreached', data: { dueAt: '2026-11-24T02:00:00.000Z' } }]);
    expect(decided.next?.state).toBe('opened');
    givenCase([opened, { ...decided.events[0]!, at: '2026-11-24T10:00:00+08:00' }])
      .when({ type: 'checkResponseDeadline', actor: timer, at: '2026-11-24T10:00:01+08:00' })
      .then([]);
  });

  it('a check whose condition no longer holds appends nothing', () => {
    givenCase([opened])
      .when({ type: 'checkResponseDeadline', actor: timer, at: '2026-11-24T09:59:59+08:00' })
      .then([]);
    givenCase([opened, responded])
      .when({ type: 'checkResponseDeadline', actor: timer, at: '2026-11-25T10:00:00+08:00' })
      .then([]);
    givenCase([opened, asked])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: '2026-11-25T11:59:00+08:00' })
      .then([]);
    givenCase([opened, responded])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: '2026-12-25T11:59:00+08:00' })
      .then([]);
    givenCase([opened, resolved])
      .when({ type: 'checkAutoClose', actor: timer, at: '2026-12-01T11:59:59+08:00' })
      .then([]);
  });

  it('customer nonresponse lowers the severity one level, then resolves at C', () => {
    givenCase([opened, asked])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: '2026-11-25T12:00:00+08:00' })
      .then([
        {
          type: 'SeverityDowngraded',
          data: {
            from: 'B',
            to: 'C',
            reason: 'customer-nonresponse',
            nonresponseDueAt: '2026-11-30T04:00:00.000Z',
          },
        },
      ]);
    givenCase([opened, asked, downgraded])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: '2026-11-30T12:00:00+08:00' })
      .then([
        {
          type: 'CaseResolved',
          data: { reason: 'customer-nonresponse', autoCloseAt: '2026-12-07T04:00:00.000Z' },
        },
      ]);
  });

  it('auto-close closes a resolved case 7 days after resolution', () => {
    givenCase([opened, resolved])
      .when({ type: 'checkAutoClose', actor: timer, at: '2026-12-01T12:00:00+08:00' })
      .then([{ type: 'CaseClosed' }]);
  });

  it('only the timer issues checks', () => {
    givenCase([opened])
      .when({ type: 'checkResponseDeadline', actor: li, at: '2026-11-25T12:00:00+08:00' })
      .thenRefused('forbidden');
  });
});
