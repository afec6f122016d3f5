import { describe, expect, it } from 'vitest';
import { caseView } from '../../../src/http/caseView.js';
import { ada, givenCase, li, openedEvent, timer, type GivenEvent } from '../../specs/caseSpec.js';

// The built-in China business-hours calendar knows holidays through 2026-12-31 only: deadlines
// on the billing line that run into 2027 are computed from the weekly hours and flagged.
const horizon = {
  code: 'calendar-horizon',
  calendar: 'cn-business-hours',
  knownThrough: '2026-12-31',
} as const;
const billingInput = {
  line: 'billing',
  severity: 'B',
  category: 'renewal',
  title: 'Invoice',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};
const openedLate = openedEvent({
  line: 'billing',
  category: 'renewal',
  at: '2026-12-31T17:00:00+08:00',
});

describe('deadlines past the calendar horizon are recorded on the case', () => {
  it('CaseOpened records the warning of a response due past the horizon', () => {
    const decided = givenCase([])
      .when({ type: 'open', actor: ada, at: '2026-12-31T17:00:00+08:00', input: billingInput })
      .then([
        {
          type: 'CaseOpened',
          data: {
            // 1 h on 12-31, 8 h on New Year's Day (not known to be closed in 2027).
            responseDueAt: '2027-01-01T09:00:00.000Z',
            warnings: [
              { ...horizon, deadline: 'response-deadline', dueAt: '2027-01-01T09:00:00.000Z' },
            ],
          },
        },
      ]);
    expect(decided.next?.context.warnings).toEqual([
      { ...horizon, deadline: 'response-deadline', dueAt: '2027-01-01T09:00:00.000Z' },
    ]);
  });

  it('a deadline inside the known dates records no warnings', () => {
    const decided = givenCase([])
      .when({ type: 'open', actor: ada, at: '2026-11-23T10:00:00+08:00', input: billingInput })
      .then([{ type: 'CaseOpened', data: { responseDueAt: '2026-11-24T02:00:00.000Z' } }]);
    expect(decided.events[0]!.data).not.toHaveProperty('warnings');
    expect(decided.next?.context.warnings).toEqual([]);
  });

  it('CustomerInfoRequested records its own; a reply ends the wait and its warning', () => {
    const asked = givenCase([openedLate])
      .when({
        type: 'requestInfo',
        actor: li,
        at: '2026-12-31T17:30:00+08:00',
        input: { message: 'Which invoice?' },
      })
      .then([
        {
          type: 'CustomerInfoRequested',
          data: {
            // B: 2 business days (18 h): 0.5 h, 9 h on 01-01, 8.5 h on Monday 01-04 → 17:30.
            nonresponseDueAt: '2027-01-04T09:30:00.000Z',
            warnings: [
              {
                ...horizon,
                deadline: 'customer-nonresponse',
                dueAt: '2027-01-04T09:30:00.000Z',
              },
            ],
          },
        },
      ]);
    expect(asked.next?.context.warnings.map((w) => w.deadline)).toEqual([
      'response-deadline',
      'customer-nonresponse',
    ]);
    const view = caseView(asked.next!);
    expect(view.warnings).toHaveLength(2);
    expect(view.warnings[1]).toMatchObject({
      code: 'calendar-horizon',
      deadline: 'customer-nonresponse',
      dueAt: '2027-01-04T09:30:00.000Z',
      message: expect.stringMatching(/cn-business-hours.*2026-12-31/) as unknown,
    });

    const requested: GivenEvent = { ...asked.events[0]!, at: '2026-12-31T17:30:00+08:00' };
    const replied = givenCase([openedLate, requested])
      .when({
        type: 'customerReply',
        actor: ada,
        at: '2027-01-01T10:00:00+08:00',
        input: { message: 'The December one' },
      })
      .then([{ type: 'CustomerResponded' }]);
    // The response due instant (and the verdict on it) stays flagged; the wait is over.
    expect(replied.next?.context.warnings.map((w) => w.deadline)).toEqual(['response-deadline']);
  });

  it('SeverityChanged in opened replaces the response warning, or clears it', () => {
    const lowered = givenCase([openedLate])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-12-31T17:10:00+08:00',
        input: { severity: 'C', reason: 'One user' },
      })
      .then([
        {
          type: 'SeverityChanged',
          data: {
            responseDueAt: '2027-01-05T09:00:00.000Z',
            warnings: [
              { ...horizon, deadline: 'response-deadline', dueAt: '2027-01-05T09:00:00.000Z' },
            ],
          },
        },
      ]);
    expect(lowered.next?.context.warnings).toEqual([
      { ...horizon, deadline: 'response-deadline', dueAt: '2027-01-05T09:00:00.000Z' },
    ]);

    // C opened 12-30 10:00 runs into 2027; raised to B it is due 12-31 10:00: nothing to flag.
    const openedC = openedEvent({
      line: 'billing',
      category: 'renewal',
      severity: 'C',
      at: '2026-12-30T10:00:00+08:00',
    });
    expect(openedC.data).toHaveProperty('warnings');
    const raised = givenCase([openedC])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-12-30T11:00:00+08:00',
        input: { severity: 'B', reason: 'Blocking renewal' },
      })
      .then([{ type: 'SeverityChanged', data: { responseDueAt: '2026-12-31T02:00:00.000Z' } }]);
    expect(raised.events[0]!.data).not.toHaveProperty('warnings');
    expect(raised.next?.context.warnings).toEqual([]);
  });

  it('SeverityDowngraded records the warning of the new period', () => {
    const opened = openedEvent({
      line: 'billing',
      category: 'renewal',
      at: '2026-12-24T10:00:00+08:00',
    });
    const asked: GivenEvent = {
      type: 'CustomerInfoRequested',
      at: '2026-12-24T11:00:00+08:00',
      data: { agent: 'li', message: 'Logs?', nonresponseDueAt: '2026-12-28T03:00:00.000Z' },
    };
    givenCase([opened, asked])
      .when({ type: 'checkCustomerNonresponse', actor: timer, at: '2026-12-28T11:00:00+08:00' })
      .then([
        {
          type: 'SeverityDowngraded',
          data: {
            // C: 5 business days (45 h) from Monday 12-28 11:00 → Monday 2027-01-04 11:00.
            nonresponseDueAt: '2027-01-04T03:00:00.000Z',
            warnings: [
              {
                ...horizon,
                deadline: 'customer-nonresponse',
                dueAt: '2027-01-04T03:00:00.000Z',
              },
            ],
          },
        },
      ]);
  });
});
