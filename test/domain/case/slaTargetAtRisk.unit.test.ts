import { describe, expect, it } from 'vitest';
import { pendingTimers } from '../../../src/domain/case/caseTimers.js';
import { parseInstant } from '../../../src/domain/instant.js';
import {
  ada,
  givenCase,
  li,
  openedEvent,
  rebuild,
  timer,
  type GivenEvent,
} from '../../specs/caseSpec.js';
import { atRiskPolicy } from '../../specs/slaPolicies.js';

const openAt = (at: string, severity: 'A' | 'B' | 'C' = 'B'): GivenEvent => {
  const decided = givenCase([], { policy: atRiskPolicy }).when({
    type: 'open',
    actor: ada,
    at,
    input: {
      line: 'technical',
      severity,
      category: 'exchange-autodiscover',
      title: 'Outlook cannot find the mailbox',
      contact: { name: 'Ada', email: 'ada@contoso.example', phone: '+86 21 5555 0100' },
      businessImpact: 'Mail is down for everyone.',
    },
  });
  if (!decided.result.ok) throw decided.result.error;
  return { ...decided.result.value.events[0]!, at };
};

// B on cn-daily (09:00–24:00 Beijing): 15 business hours, due Tue 10:00. 75 % is 11 h 15 min
// of business time: Mon 21:15 Beijing.
const opened = openAt('2026-11-23T10:00:00+08:00');
const atRisk: GivenEvent = {
  type: 'SlaTargetAtRisk',
  at: '2026-11-23T21:15:00+08:00',
  data: { target: 'response', threshold: 0.75, dueAt: '2026-11-24T02:00:00.000Z' },
};
const check = (at: string) => ({ type: 'checkSlaTargets' as const, actor: timer, at });
const when = (events: GivenEvent[]) => givenCase(events, { policy: atRiskPolicy });

describe('the response target at risk (policy threshold 0.75)', () => {
  it('open records the at-risk instant beside the due instant', () => {
    expect(opened.type).toBe('CaseOpened');
    expect(opened.data).toMatchObject({
      responseDueAt: '2026-11-24T02:00:00.000Z',
      responseAtRisk: { share: 0.75, at: '2026-11-23T13:15:00.000Z' },
    });
  });

  it('an at-risk timer runs beside the deadline until the warning is recorded', () => {
    const dueAt = parseInstant('2026-11-24T10:00:00+08:00');
    expect(pendingTimers(rebuild([opened])!)).toEqual([
      { caseId: 'c1', kind: 'response-deadline', dueAt, revision: 0 },
      {
        caseId: 'c1',
        kind: 'response-at-risk',
        dueAt: parseInstant('2026-11-23T21:15:00+08:00'),
        revision: 0,
      },
    ]);
    expect(pendingTimers(rebuild([opened, atRisk])!)).toEqual([
      { caseId: 'c1', kind: 'response-deadline', dueAt, revision: 0 },
    ]);
  });

  it('the check at the threshold records SlaTargetAtRisk with the target, threshold and due instant', () => {
    when([opened])
      .when(check('2026-11-23T21:15:00+08:00'))
      .then([
        {
          type: 'SlaTargetAtRisk',
          data: { target: 'response', threshold: 0.75, dueAt: '2026-11-24T02:00:00.000Z' },
        },
      ]);
  });

  it('records nothing before the threshold', () => {
    when([opened]).when(check('2026-11-23T21:14:59.999+08:00')).thenNothing();
  });

  it('records it once per clock', () => {
    when([opened, atRisk]).when(check('2026-11-23T23:00:00+08:00')).thenNothing();
  });

  it('records nothing once the target was met (first response) or breached first', () => {
    const responded: GivenEvent = {
      type: 'AgentResponded',
      at: '2026-11-23T20:00:00+08:00',
      data: { agent: 'li', message: 'On it' },
    };
    when([opened, responded]).when(check('2026-11-23T21:15:00+08:00')).thenNothing();
    const breached: GivenEvent = {
      type: 'ResponseDeadlineBreached',
      at: '2026-11-24T10:00:00+08:00',
      data: { dueAt: '2026-11-24T02:00:00.000Z' },
    };
    when([opened, breached]).when(check('2026-11-24T10:00:01+08:00')).thenNothing();
  });

  it('a check that runs only after the due instant warns of nothing (the breach is what counts)', () => {
    when([opened]).when(check('2026-11-24T10:00:00+08:00')).thenNothing();
  });

  it('a re-assessment moves the at-risk instant with the due instant; a recorded warning stays recorded', () => {
    const decided = when([opened])
      .when({
        type: 'changeSeverity',
        actor: li,
        at: '2026-11-23T11:00:00+08:00',
        input: { severity: 'C', reason: 'one user' },
      })
      .then([{ type: 'SeverityChanged' }]);
    // C: 3 business days (45 h); 75 % is 33 h 45 min from Mon 10:00: Wed 13:45 Beijing.
    expect(decided.events[0]!.data).toMatchObject({
      responseAtRisk: { share: 0.75, at: '2026-11-25T05:45:00.000Z' },
    });
    const after = rebuild([
      opened,
      atRisk,
      { ...decided.events[0]!, at: '2026-11-23T22:00:00+08:00' },
    ])!;
    expect(after.context.responseAtRisk?.recorded).toBe(true);
    expect(pendingTimers(after).map((t) => t.kind)).toEqual(['response-deadline']);
  });

  it('only the timer may issue the check', () => {
    when([opened])
      .when({ ...check('2026-11-23T21:15:00+08:00'), actor: li })
      .thenRefused('forbidden');
  });
});

describe('the built-in policy sets no threshold', () => {
  it('records no at-risk instant and schedules no at-risk timer', () => {
    const plain = openedEvent();
    expect(plain.data).not.toHaveProperty('responseAtRisk');
    expect(pendingTimers(rebuild([plain])!).map((t) => t.kind)).toEqual(['response-deadline']);
    givenCase([plain]).when(check('2026-11-24T09:00:00+08:00')).thenNothing();
  });
});
