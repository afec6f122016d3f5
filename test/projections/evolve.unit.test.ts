import { describe, expect, it } from 'vitest';
import { evolveCaseQueue } from '../../projections/caseQueue.js';
import type { CaseQueueTable } from '../../projections/caseQueueTable.js';
import { evolveSlaCase } from '../../projections/slaCompliance.js';
import type { SlaCasesTable } from '../../projections/slaCasesTable.js';
import type { RecordedEvent } from '../../src/application/eventStore.js';

const ctx = { zoneOf: () => 'Asia/Shanghai' };
const future = {
  type: 'CaseEscalatedToPartner', // written by a newer build
  streamId: 'case-c1',
  revision: 5,
  data: {},
  metadata: { occurredAt: '2026-11-24T00:00:00.000Z' },
} as unknown as RecordedEvent;

describe('projections meeting an event type they do not know', () => {
  it('leave the row as it was: never delete it', () => {
    const queueRow = { case_id: 'c1', state: 'opened', revision: 4 } as CaseQueueTable;
    const slaRow = { case_id: 'c1', reopens: 0 } as SlaCasesTable;
    expect(evolveCaseQueue(queueRow, future, ctx)).toBe(queueRow);
    expect(evolveSlaCase(slaRow, future, ctx)).toBe(slaRow);
  });
});
