import { describe, expect, it } from 'vitest';
import { evolveCaseList } from '../../projections/caseList.js';
import type { CaseListTable } from '../../projections/caseListTable.js';
import type { RecordedEvent } from '../../src/application/eventStore.js';
import type { CaseEvent } from '../../src/domain/case/stream/caseEvents.js';

const ctx = { zoneOf: () => 'Asia/Shanghai' };
let revision = 0;
const recorded = (event: CaseEvent, occurredAt: string): RecordedEvent =>
  ({
    ...event,
    streamId: 'case-c1',
    revision: revision++,
    schemaVersion: 1,
    metadata: { occurredAt },
  }) as unknown as RecordedEvent;

const opened: CaseEvent = {
  type: 'CaseOpened',
  data: {
    caseId: 'c1',
    tenant: { id: 'contoso', offering: '21vianet', advancedAgreement: true },
    line: 'technical',
    category: 'sso',
    title: 't',
    description: '',
    contact: { name: 'Ada', email: 'ada@example.com' },
    requestedSeverity: 'B',
    severity: 'B',
    policyVersion: 'risk.1',
    responseTarget: { businessDays: 1 },
    responseCalendar: 'cn-daily',
    responseDueAt: '2026-11-24T02:00:00.000Z',
    responseAtRisk: { share: 0.75, at: '2026-11-23T13:15:00.000Z' },
  },
};
const atRisk: CaseEvent = {
  type: 'SlaTargetAtRisk',
  data: { target: 'response', threshold: 0.75, dueAt: '2026-11-24T02:00:00.000Z' },
};

const fold = (events: [CaseEvent, string][]): CaseListTable | undefined => {
  revision = 0;
  let row: CaseListTable | undefined;
  for (const [event, at] of events) row = evolveCaseList(row, recorded(event, at), ctx);
  return row;
};

describe('at risk in the queue and the list: as recorded, while the clock runs', () => {
  it('a case is not at risk until its warning is recorded (no instant computed here)', () => {
    expect(fold([[opened, '2026-11-23T02:00:00.000Z']])).toMatchObject({
      at_risk: null,
      at_risk_at: null,
    });
  });

  it('SlaTargetAtRisk marks the target and when', () => {
    expect(
      fold([
        [opened, '2026-11-23T02:00:00.000Z'],
        [atRisk, '2026-11-23T13:15:00.000Z'],
      ]),
    ).toMatchObject({ at_risk: 'response', at_risk_at: '2026-11-23T13:15:00.000Z' });
  });

  it.each<[string, CaseEvent]>([
    ['the first response', { type: 'AgentResponded', data: { agent: 'li', message: 'x' } }],
    [
      'a request for information',
      {
        type: 'CustomerInfoRequested',
        data: { agent: 'li', message: 'x', nonresponseDueAt: '2026-11-26T02:00:00.000Z' },
      },
    ],
    [
      'the breach',
      { type: 'ResponseDeadlineBreached', data: { dueAt: '2026-11-24T02:00:00.000Z' } },
    ],
    [
      'resolution',
      {
        type: 'CaseResolved',
        data: { reason: 'fixed', summary: 'x', autoCloseAt: '2026-12-01T02:00:00.000Z' },
      },
    ],
  ])('%s ends the warning', (_, stop) => {
    expect(
      fold([
        [opened, '2026-11-23T02:00:00.000Z'],
        [atRisk, '2026-11-23T13:15:00.000Z'],
        [stop, '2026-11-23T14:00:00.000Z'],
      ]),
    ).toMatchObject({ at_risk: null, at_risk_at: null });
  });

  it('further targets: each warning ends with its own clock; the others stay', () => {
    const warn = (target: 'resolution' | 'next-reply'): CaseEvent => ({
      type: 'SlaTargetAtRisk',
      data: { target, threshold: 0.75, dueAt: '2026-11-26T02:00:00.000Z' },
    });
    const both = fold([
      [opened, '2026-11-23T02:00:00.000Z'],
      [warn('resolution'), '2026-11-24T02:00:00.000Z'],
      [warn('next-reply'), '2026-11-24T03:00:00.000Z'],
    ]);
    expect(both).toMatchObject({
      at_risk: 'resolution,next-reply',
      at_risk_at: '2026-11-24T02:00:00.000Z',
    });
    expect(
      fold([
        [opened, '2026-11-23T02:00:00.000Z'],
        [warn('resolution'), '2026-11-24T02:00:00.000Z'],
        [warn('next-reply'), '2026-11-24T03:00:00.000Z'],
        [
          { type: 'ResolutionDeadlineBreached', data: { dueAt: '2026-11-26T02:00:00.000Z' } },
          '2026-11-26T02:00:00.000Z',
        ],
      ]),
    ).toMatchObject({ at_risk: 'next-reply' });
    expect(
      fold([
        [opened, '2026-11-23T02:00:00.000Z'],
        [warn('next-reply'), '2026-11-24T03:00:00.000Z'],
        [
          {
            type: 'SlaTargetStopped',
            data: { target: 'next-reply', met: true, remainingMs: 60_000 },
          },
          '2026-11-24T03:30:00.000Z',
        ],
      ]),
    ).toMatchObject({ at_risk: null, at_risk_at: null });
  });

  it('a note or an assignment does not', () => {
    expect(
      fold([
        [opened, '2026-11-23T02:00:00.000Z'],
        [atRisk, '2026-11-23T13:15:00.000Z'],
        [{ type: 'NoteAdded', data: { agent: 'li', text: 'x' } }, '2026-11-23T14:00:00.000Z'],
        [{ type: 'CaseAssigned', data: { agent: 'li' } }, '2026-11-23T14:01:00.000Z'],
      ]),
    ).toMatchObject({ at_risk: 'response', at_risk_at: '2026-11-23T13:15:00.000Z' });
  });
});
