import { describe, expect, it } from 'vitest';
import {
  compareTimers,
  pendingTimers,
  type CaseTimer,
} from '../../../src/domain/case/caseTimers.js';
import { parseInstant } from '../../../src/domain/instant.js';
import { openedEvent, rebuild, type GivenEvent } from '../../specs/caseSpec.js';

const opened = openedEvent();
const asked: GivenEvent = {
  type: 'CustomerInfoRequested',
  at: '2026-11-23T12:00:00+08:00',
  data: { agent: 'li', message: 'x', nonresponseDueAt: '2026-11-25T04:00:00.000Z' },
};
const resolved: GivenEvent = {
  type: 'CaseResolved',
  at: '2026-11-24T12:00:00+08:00',
  data: { reason: 'fixed', summary: 'x', autoCloseAt: '2026-12-01T04:00:00.000Z' },
};

describe('pendingTimers (which timers a case needs is a pure function of its state)', () => {
  it('opened: the response deadline at the due instant', () => {
    expect(pendingTimers(rebuild([opened])!)).toEqual([
      {
        caseId: 'c1',
        kind: 'response-deadline',
        dueAt: parseInstant('2026-11-24T10:00:00+08:00'),
        revision: 0,
      },
    ]);
  });

  it('opened and breached: none', () => {
    const breach: GivenEvent = {
      type: 'ResponseDeadlineBreached',
      at: '2026-11-24T10:00:00+08:00',
      data: { dueAt: '2026-11-24T02:00:00.000Z' },
    };
    expect(pendingTimers(rebuild([opened, breach])!)).toEqual([]);
  });

  it('awaiting the customer: the nonresponse check; responded: none; resolved: auto-close; closed: none', () => {
    expect(pendingTimers(rebuild([opened, asked])!)).toEqual([
      {
        caseId: 'c1',
        kind: 'customer-nonresponse',
        dueAt: Date.parse('2026-11-25T04:00:00.000Z'),
        revision: 1,
      },
    ]);
    const replied: GivenEvent = {
      type: 'CustomerResponded',
      at: '2026-11-23T13:00:00+08:00',
      data: { message: 'x' },
    };
    expect(pendingTimers(rebuild([opened, asked, replied])!)).toEqual([]);
    expect(pendingTimers(rebuild([opened, asked, resolved])!)).toEqual([
      {
        caseId: 'c1',
        kind: 'auto-close',
        dueAt: Date.parse('2026-12-01T04:00:00.000Z'),
        revision: 2,
      },
    ]);
    const closed: GivenEvent = { type: 'CaseClosed', at: '2026-12-01T12:00:00+08:00', data: {} };
    expect(pendingTimers(rebuild([opened, resolved, closed])!)).toEqual([]);
  });

  it('a note does not change a timer’s identity', () => {
    const note: GivenEvent = {
      type: 'NoteAdded',
      at: '2026-11-23T13:00:00+08:00',
      data: { agent: 'li', text: 'x' },
    };
    expect(pendingTimers(rebuild([opened, asked, note])!)).toEqual(
      pendingTimers(rebuild([opened, asked])!),
    );
  });

  it('fires in a fixed order: due instant, then case id, then kind', () => {
    const t = (caseId: string, kind: CaseTimer['kind'], dueAt: number): CaseTimer => ({
      caseId,
      kind,
      dueAt,
      revision: 0,
    });
    const timers = [
      t('b', 'auto-close', 1),
      t('a', 'auto-close', 1),
      t('a', 'response-deadline', 1),
      t('a', 'customer-nonresponse', 0),
    ];
    expect([...timers].sort(compareTimers)).toEqual([
      t('a', 'customer-nonresponse', 0),
      t('a', 'response-deadline', 1),
      t('a', 'auto-close', 1),
      t('b', 'auto-close', 1),
    ]);
  });
});
