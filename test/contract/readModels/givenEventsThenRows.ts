import { describe, expect, it } from 'vitest';
import { caseQueue } from '../../../projections/caseQueue.js';
import { slaCompliance } from '../../../projections/slaCompliance.js';
import { type QueueName, agentWorkload, queryQueue } from '../../../projections/queueQueries.js';
import {
  checkpoints,
  expectedFinal,
  queueAfterPhase1,
  queueAfterPhase2,
  slaAfterPhase1,
  tables,
  workloadAfterPhase1,
} from './expectedRows.js';
import type { ReadModelsHarness } from './harness.js';

export const givenEventsThenRowsFeature = (t: ReadModelsHarness): void => {
  describe('given events, then rows', () => {
    it('case-queue: one row per case not closed, with whose move it is', async () => {
      await t.projectedPhase1();
      expect((await tables(t.db)).case_queue).toEqual(queueAfterPhase1);
    });

    it('sla-compliance: one row per case ever opened, severity and day as opened', async () => {
      await t.projectedPhase1();
      expect((await tables(t.db)).sla_cases).toEqual(slaAfterPhase1);
    });

    it('agent_workload: active cases per assignee and state, unassigned first (resolved ones do not count)', async () => {
      await t.projectedPhase1();
      expect(await agentWorkload(t.db)).toEqual(workloadAfterPhase1);
    });

    it('events appended later move the rows: a closed case leaves the queue, its SLA row stays', async () => {
      const { history, projector } = await t.projectedPhase1();
      const head = await history.phase2();
      await t.caughtUp(projector, head);
      expect(await tables(t.db)).toEqual(expectedFinal);
      const at = '2026-12-01T00:00:00.000Z';
      expect(await checkpoints(t.db)).toEqual([
        {
          name: 'case-queue',
          version: caseQueue.version,
          position: Number(head),
          updated_at: at,
          rebuild_to: null,
        },
        {
          name: 'sla-compliance',
          version: slaCompliance.version,
          position: Number(head),
          updated_at: at,
          rebuild_to: null,
        },
      ]);
    });

    it('queue views: breached first then by due instant; filters; tenant scoping; paging', async () => {
      const { history, projector } = await t.projectedPhase1();
      await t.caughtUp(projector, await history.phase2());
      const ids = async (queue: QueueName, q: Parameters<typeof queryQueue>[2] = {}) =>
        (await queryQueue(t.db, queue, q)).map((r) => r.case_id);
      const agentQueue = [
        'q-breach', // breached, due 03:00 (tie: by case id)
        'q-sev', // breached when raised to A, due 03:00
        'q-fab', // due 24T02:00
        'q-open',
        'q-reopened',
        'k-late', // due 24T23:30
        'q-reply', // due 26T02:00
        'q-late', // due 26T16:00
      ];
      expect(await ids('agent')).toEqual(agentQueue);
      // Resolved cases wait on the customer (to reopen) but are in no queue.
      expect(await ids('awaiting-customer')).toEqual(['q-info', 'q-down']);
      expect(await ids('breached')).toEqual(['q-breach', 'q-sev']); // not q-gone: resolved

      expect(await ids('agent', { tenant: 'fabrikam' })).toEqual(['q-fab']);
      expect(await ids('agent', { tenant: 'kontor' })).toEqual(['k-late']);
      expect(await ids('awaiting-customer', { tenant: 'fabrikam' })).toEqual([]);
      expect(await ids('breached', { tenant: 'fabrikam' })).toEqual([]);
      expect(await ids('agent', { line: 'billing' })).toEqual([]);
      expect(await ids('awaiting-customer', { line: 'billing' })).toEqual(['q-info']);
      expect(await ids('agent', { severity: 'A' })).toEqual(['q-breach', 'q-sev']);
      expect(await ids('agent', { severity: 'C' })).toEqual(['q-reply', 'q-late']);
      expect(await ids('awaiting-customer', { severity: 'B' })).toEqual(['q-info', 'q-down']);
      expect(await ids('agent', { assignee: 'mei' })).toEqual(['q-fab', 'q-reply']);
      expect(await ids('agent', { tenant: 'contoso', severity: 'B' })).toEqual([
        'q-open',
        'q-reopened',
      ]);

      expect(await ids('agent', { limit: 3 })).toEqual(agentQueue.slice(0, 3));
      expect(await ids('agent', { limit: 3, offset: 3 })).toEqual(agentQueue.slice(3, 6));
      expect(await ids('agent', { limit: 3, offset: 6 })).toEqual(agentQueue.slice(6));
      expect(await ids('agent', { limit: 3, offset: 9 })).toEqual([]);

      // The rows are case_queue's rows.
      const rows = await queryQueue(t.db, 'awaiting-customer', { tenant: 'contoso' });
      expect(rows).toEqual(
        queueAfterPhase2.filter((r) => ['q-info', 'q-down'].includes(r.case_id)).reverse(),
      );
    });
  });
};
