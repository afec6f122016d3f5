import { describe, expect, it } from 'vitest';
import { CASE_MACHINE_VERSION } from '../../machines/caseMachine.js';
import { parseInstant } from '../../src/domain/instant.js';
import { applyCaseEvent, rebuildCase } from '../../src/domain/case/rebuildCase.js';
import { openedEvent, rebuild, type GivenEvent } from '../specs/caseSpec.js';

const opened = openedEvent();
const at = (e: GivenEvent) => ({ ...e, at: parseInstant(e.at) });
const breach: GivenEvent = {
  type: 'ResponseDeadlineBreached',
  at: '2026-11-24T10:00:00+08:00',
  data: { dueAt: '2026-11-24T02:00:00.000Z' },
};
const resolved: GivenEvent = {
  type: 'CaseResolved',
  at: '2026-11-24T12:00:00+08:00',
  data: { reason: 'fixed', summary: 'Done', autoCloseAt: '2026-12-01T04:00:00.000Z' },
};

describe('case machine (rebuild by folding events with pure transitions)', () => {
  it('has a version recorded on events', () => {
    expect(CASE_MACHINE_VERSION).toBeGreaterThanOrEqual(1);
  });

  it('starts in opened with the context of CaseOpened', () => {
    const snapshot = rebuild([opened])!;
    expect(snapshot.state).toBe('opened');
    expect(snapshot.revision).toBe(0);
    expect(snapshot.context).toMatchObject({
      caseId: 'c1',
      severity: 'B',
      breached: false,
      openedAt: parseInstant(opened.at),
    });
  });

  it('an empty stream is no case', () => {
    const rebuilt = rebuildCase([]);
    expect(rebuilt.ok && rebuilt.value).toBeUndefined();
  });

  it('counts revisions and tracks the revision that set each deadline', () => {
    const snapshot = rebuild([
      opened,
      { type: 'NoteAdded', at: '2026-11-23T10:30:00+08:00', data: { agent: 'li', text: 'x' } },
      {
        type: 'CustomerInfoRequested',
        at: '2026-11-23T11:00:00+08:00',
        data: { agent: 'li', message: 'x', nonresponseDueAt: '2026-11-25T03:00:00.000Z' },
      },
      { type: 'NoteAdded', at: '2026-11-23T11:30:00+08:00', data: { agent: 'li', text: 'y' } },
    ])!;
    expect(snapshot.revision).toBe(3);
    expect(snapshot.state).toBe('awaitingCustomer');
    expect(snapshot.context.deadlineSetAt).toEqual({ response: 0, nonresponse: 2 });
  });

  it('refuses a stream that does not start with CaseOpened', () => {
    const rebuilt = rebuildCase([at(resolved)]);
    expect(rebuilt.ok).toBe(false);
  });

  it('refuses a second breach of the same response clock', () => {
    const snapshot = rebuild([opened, breach])!;
    const again = applyCaseEvent(snapshot, at(breach));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('invalid-transition');
  });

  it('refuses events the lifecycle does not allow in a state', () => {
    const snapshot = rebuild([opened, resolved])!;
    for (const event of [
      { type: 'AgentResponded', at: '2026-11-25T00:00:00Z', data: { agent: 'li', message: 'x' } },
      { type: 'CustomerResponded', at: '2026-11-25T00:00:00Z', data: { message: 'x' } },
      {
        type: 'ResponseDeadlineBreached',
        at: '2026-11-25T00:00:00Z',
        data: { dueAt: '2026-11-24T02:00:00.000Z' },
      },
      { type: 'CaseOpened', at: '2026-11-25T00:00:00Z', data: opened.data },
    ] as GivenEvent[]) {
      expect(applyCaseEvent(snapshot, at(event)).ok).toBe(false);
    }
  });

  it('refuses a downgrade that skips a level or starts from the wrong severity', () => {
    const waiting = rebuild([
      opened,
      {
        type: 'CustomerInfoRequested',
        at: '2026-11-23T11:00:00+08:00',
        data: { agent: 'li', message: 'x', nonresponseDueAt: '2026-11-25T03:00:00.000Z' },
      },
    ])!;
    const wrong: GivenEvent = {
      type: 'SeverityDowngraded',
      at: '2026-11-25T11:00:00+08:00',
      data: {
        from: 'A',
        to: 'B',
        reason: 'customer-nonresponse',
        nonresponseDueAt: '2026-11-30T03:00:00.000Z',
      },
    };
    expect(applyCaseEvent(waiting, at(wrong)).ok).toBe(false);
    const right: GivenEvent = {
      ...wrong,
      data: { ...wrong.data, from: 'B', to: 'C' },
    };
    const applied = applyCaseEvent(waiting, at(right));
    expect(applied.ok && applied.value.state).toBe('downgraded');
  });

  it('a downgrade starts a new waiting period; a reply or a response ends it', () => {
    const requested: GivenEvent = {
      type: 'CustomerInfoRequested',
      at: '2026-11-23T11:00:00+08:00',
      data: { agent: 'li', message: 'x', nonresponseDueAt: '2026-11-25T03:00:00.000Z' },
    };
    const downgraded: GivenEvent = {
      type: 'SeverityDowngraded',
      at: '2026-11-25T11:00:00+08:00',
      data: {
        from: 'B',
        to: 'C',
        reason: 'customer-nonresponse',
        nonresponseDueAt: '2026-11-30T03:00:00.000Z',
      },
    };
    expect(rebuild([opened, requested])!.context.awaitingSince).toBe(parseInstant(requested.at));
    const snapshot = rebuild([opened, requested, downgraded])!;
    expect(snapshot.context.awaitingSince).toBe(parseInstant(downgraded.at));
    expect(snapshot.context.nonresponseDueAt).toBe(parseInstant('2026-11-30T03:00:00.000Z'));
    const replied = rebuild([
      opened,
      requested,
      downgraded,
      { type: 'CustomerResponded', at: '2026-11-26T09:00:00+08:00', data: { message: 'y' } },
    ])!;
    expect(replied.context.awaitingSince).toBeUndefined();
  });

  it('closed accepts only notes and the one survey', () => {
    const snapshot = rebuild([
      opened,
      resolved,
      { type: 'CaseClosed', at: '2026-12-01T12:00:00+08:00', data: {} },
    ])!;
    expect(snapshot.state).toBe('closed');
    expect(
      applyCaseEvent(
        snapshot,
        at({ type: 'CaseReopened', at: '2026-12-02T00:00:00Z', data: { reason: 'x' } }),
      ).ok,
    ).toBe(false);
    expect(
      applyCaseEvent(
        snapshot,
        at({ type: 'CaseAssigned', at: '2026-12-02T00:00:00Z', data: { agent: 'x' } }),
      ).ok,
    ).toBe(false);
    expect(
      applyCaseEvent(
        snapshot,
        at({ type: 'NoteAdded', at: '2026-12-02T00:00:00Z', data: { agent: 'li', text: 'x' } }),
      ).ok,
    ).toBe(true);
  });
});
