import { describe, expect, it } from 'vitest';
import { pendingTimers } from '../../../src/domain/case/caseTimers.js';
import type { CommandType } from '../../../src/domain/case/caseCommands.js';
import type { Actor } from '../../../src/domain/actor.js';
import { ada, givenCase, li, rebuild, timer, type GivenEvent } from '../../specs/caseSpec.js';
import { targetsPolicy } from '../../specs/slaPolicies.js';

// 21vianet technical B on cn-daily (09:00–24:00 Beijing, 15 business hours a day): resolution
// 3 business days (at risk at 50 %), next reply 4 hours (at risk at 75 %), periodic update 1
// business day. Times are Beijing (+08:00).
const H = 3_600_000;
const bj = (dayAndTime: string) => `2026-11-${dayAndTime}:00+08:00`;

/** Runs commands one after the other, each on the events recorded so far. */
const story = () => {
  const events: GivenEvent[] = [];
  return {
    events,
    when: (type: CommandType, actor: Actor, at: string, input: unknown = {}) => {
      const decision = givenCase(events, { policy: targetsPolicy }).when({
        type,
        actor,
        at,
        input,
      });
      return {
        then: (expected: Parameters<typeof decision.then>[0]) => {
          const { events: recorded } = decision.then(expected);
          events.push(...recorded.map((e) => ({ ...e, at })));
        },
      };
    },
  };
};
const openB = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 't',
  contact: { name: 'A', email: 'a@b.example' },
};

describe('further targets (policy data): resolution, next reply, periodic update', () => {
  it('open starts the resolution clock with its due and at-risk instants', () => {
    const s = story();
    s.when('open', ada, bj('23T10:00'), openB).then([
      { type: 'CaseOpened' },
      {
        type: 'SlaTargetStarted',
        data: {
          target: 'resolution',
          calendar: 'cn-daily',
          budgetMs: 45 * H,
          dueAt: '2026-11-26T02:00:00.000Z', // Thu 10:00
          atRisk: { share: 0.5, at: '2026-11-24T09:30:00.000Z' }, // 22.5 h: Tue 17:30
        },
      },
    ]);
    expect(pendingTimers(rebuild(s.events)!).map((t) => t.kind)).toEqual([
      'response-deadline',
      'resolution-deadline',
      'resolution-at-risk',
    ]);
  });

  it('awaiting the customer pauses every clock; the reply resumes them, later by the pause, and starts next reply', () => {
    const s = story();
    s.when('open', ada, bj('23T10:00'), openB).then([
      { type: 'CaseOpened' },
      { type: 'SlaTargetStarted' },
    ]);
    s.when('requestInfo', li, bj('23T12:00'), { message: 'Logs?' }).then([
      { type: 'CustomerInfoRequested' },
      { type: 'SlaTargetPaused', data: { target: 'resolution', remainingMs: 43 * H } },
      { type: 'SlaTargetStarted', data: { target: 'periodic-update', budgetMs: 15 * H } },
      { type: 'SlaTargetPaused', data: { target: 'periodic-update', remainingMs: 15 * H } },
    ]);
    // Paused: no deadline of a further target runs.
    expect(pendingTimers(rebuild(s.events)!).map((t) => t.kind)).toEqual(['customer-nonresponse']);
    s.when('customerReply', ada, bj('24T12:00'), { message: 'Here.' }).then([
      { type: 'CustomerResponded' },
      {
        type: 'SlaTargetResumed',
        // 43 h from Tue 12:00: Fri 10:00, a day after the unpaused Thu 10:00.
        data: {
          target: 'resolution',
          dueAt: '2026-11-27T02:00:00.000Z',
          atRisk: { share: 0.5, at: '2026-11-25T09:30:00.000Z' },
        },
      },
      {
        type: 'SlaTargetStarted',
        data: {
          target: 'next-reply',
          dueAt: '2026-11-24T08:00:00.000Z',
          atRisk: { share: 0.75, at: '2026-11-24T07:00:00.000Z' },
        },
      },
      {
        type: 'SlaTargetResumed',
        data: { target: 'periodic-update', dueAt: '2026-11-25T04:00:00.000Z' },
      },
    ]);
    // Next reply: at risk at 75 % (Tue 15:00), breached at Tue 16:00, once.
    s.when('checkSlaTargets', timer, bj('24T14:59')).then([]);
    s.when('checkSlaTargets', timer, bj('24T15:00')).then([
      {
        type: 'SlaTargetAtRisk',
        data: { target: 'next-reply', threshold: 0.75, dueAt: '2026-11-24T08:00:00.000Z' },
      },
    ]);
    s.when('checkSlaTargets', timer, bj('24T15:30')).then([]);
    s.when('checkSlaTargets', timer, bj('24T16:00')).then([
      { type: 'NextReplyDeadlineBreached', data: { dueAt: '2026-11-24T08:00:00.000Z' } },
    ]);
    s.when('checkSlaTargets', timer, bj('24T16:30')).then([]);
    // The reply stops next reply (not met) and restarts the periodic update (the last was met).
    s.when('respond', li, bj('24T17:00'), { message: 'Fixed?' }).then([
      { type: 'AgentResponded' },
      { type: 'SlaTargetStopped', data: { target: 'next-reply', met: false, remainingMs: 0 } },
      {
        type: 'SlaTargetStopped',
        data: { target: 'periodic-update', met: true, remainingMs: 10 * H },
      },
      {
        type: 'SlaTargetStarted',
        data: { target: 'periodic-update', dueAt: '2026-11-25T09:00:00.000Z' },
      },
    ]);
    // Resolution at the periodic update's due instant: within target (a tie is met).
    s.when('resolve', li, bj('25T17:00'), { reason: 'fixed', summary: 'Done.' }).then([
      { type: 'CaseResolved' },
      { type: 'SlaTargetStopped', data: { target: 'resolution', met: true, remainingMs: 23 * H } },
      { type: 'SlaTargetStopped', data: { target: 'periodic-update', met: true, remainingMs: 0 } },
    ]);
    // Reopened: the resolution clock runs on with what it had left (23 h: Fri 18:00).
    s.when('reopen', ada, bj('26T10:00'), { reason: 'Again.' }).then([
      { type: 'CaseReopened' },
      {
        type: 'SlaTargetResumed',
        data: { target: 'resolution', dueAt: '2026-11-27T10:00:00.000Z' },
      },
      { type: 'SlaTargetStarted', data: { target: 'periodic-update' } },
    ]);
  });

  it('the resolution clock breaches once at its due instant; resolving after it is not met', () => {
    const s = story();
    s.when('open', ada, bj('23T10:00'), openB).then([
      { type: 'CaseOpened' },
      { type: 'SlaTargetStarted' },
    ]);
    s.when('respond', li, bj('23T11:00'), { message: 'Looking.' }).then([
      { type: 'AgentResponded' },
      { type: 'SlaTargetStarted', data: { target: 'periodic-update' } },
    ]);
    s.when('checkSlaTargets', timer, bj('24T17:30')).then([
      { type: 'SlaTargetAtRisk', data: { target: 'resolution', threshold: 0.5 } },
      { type: 'PeriodicUpdateDeadlineBreached', data: { dueAt: '2026-11-24T03:00:00.000Z' } }, // due Tue 11:00
    ]);
    s.when('checkSlaTargets', timer, bj('26T10:00')).then([
      { type: 'ResolutionDeadlineBreached', data: { dueAt: '2026-11-26T02:00:00.000Z' } },
    ]);
    s.when('checkSlaTargets', timer, bj('26T11:00')).then([]);
    expect(pendingTimers(rebuild(s.events)!).map((t) => t.kind)).toEqual([]);
    s.when('resolve', li, bj('26T12:00'), { reason: 'fixed', summary: 'Done.' }).then([
      { type: 'CaseResolved' },
      { type: 'SlaTargetStopped', data: { target: 'resolution', met: false, remainingMs: 0 } },
      { type: 'SlaTargetStopped', data: { target: 'periodic-update', met: false } },
    ]);
  });

  it('a target met before its at-risk instant records no warning', () => {
    const s = story();
    s.when('open', ada, bj('23T10:00'), openB).then([
      { type: 'CaseOpened' },
      { type: 'SlaTargetStarted' },
    ]);
    s.when('resolve', li, bj('23T11:00'), { reason: 'fixed', summary: 'Quick.' }).then([
      { type: 'CaseResolved' },
      { type: 'SlaTargetStopped', data: { target: 'resolution', met: true } },
    ]);
    s.when('checkSlaTargets', timer, bj('24T17:30')).then([]);
  });

  it('the built-in policy sets none: no clock, no event beyond the lifecycle', () => {
    givenCase([])
      .when({ type: 'open', actor: ada, at: bj('23T10:00'), input: openB })
      .then([{ type: 'CaseOpened' }]);
  });
});
