import { expect, it } from 'vitest';
import { allProjections } from '../../../projections/allProjections.js';
import { queryCaseList } from '../../../projections/caseListQuery.js';
import { NO_DEADLINE } from '../../../projections/caseListTable.js';
import type { ReadModelsHarness } from './harness.js';

/** Columns `case_list` shares with `case_queue`: the same values for every case not closed. */
const shared = [
  'case_id',
  'tenant',
  'offering',
  'line',
  'category',
  'title',
  'severity',
  'state',
  'assignee',
  'opened_at',
  'response_due_at',
  'breached',
  'waiting_on',
  'nonresponse_due_at',
  'at_risk',
  'at_risk_at',
  'updated_at',
  'revision',
] as const;

export const caseListFeature = (t: ReadModelsHarness): void => {
  it('case-list: every case ever opened, closed ones too; the rest as the queue has them', async () => {
    const { history, projector } = await t.projectedPhase1({ projections: allProjections });
    await t.caughtUp(projector, await history.phase2());
    const list = await t.db.selectFrom('case_list').selectAll().orderBy('case_id').execute();
    const queue = await t.db.selectFrom('case_queue').selectAll().orderBy('case_id').execute();
    const opened = await t.db
      .selectFrom('sla_cases')
      .select('case_id')
      .orderBy('case_id')
      .execute();
    expect(list.map((r) => r.case_id)).toEqual(opened.map((r) => r.case_id));
    const pick = (row: Record<string, unknown>) =>
      Object.fromEntries(shared.map((c) => [c, row[c]]));
    const queued = new Set(queue.map((r) => r.case_id));
    expect(list.filter((r) => queued.has(r.case_id)).map(pick)).toEqual(queue.map(pick));
    const closed = list.filter((r) => !queued.has(r.case_id));
    expect(closed.length).toBeGreaterThan(0);
    for (const row of closed) {
      expect(row).toMatchObject({ state: 'closed', due_at: NO_DEADLINE });
      expect(row.closed_at).not.toBeNull();
    }
    for (const row of list.filter((r) => r.state === 'opened')) {
      expect(row.due_at).toBe(row.response_due_at);
      // The built-in policy sets no at-risk threshold: no warning is ever recorded.
      expect(row).toMatchObject({ at_risk: null, at_risk_at: null });
    }
  });

  it('case-list queries: text taken literally, any case; keyset pages cover the list once', async () => {
    const { history, projector } = await t.projectedPhase1({ projections: allProjections });
    await t.caughtUp(projector, await history.phase2());
    const all = await t.db.selectFrom('case_list').selectAll().execute();
    const title = all[0]!.title;
    const found = await queryCaseList(t.db, { text: title.toUpperCase(), limit: 200 });
    expect(found.rows.map((r) => r.title)).toContain(title);
    expect((await queryCaseList(t.db, { text: '%' })).rows).toEqual(
      all.filter((r) => r.title.includes('%')),
    );
    for (const sort of ['due', 'updated'] as const) {
      const seen: string[] = [];
      let after;
      do {
        const page = await queryCaseList(t.db, { sort, after, limit: 4 });
        seen.push(...page.rows.map((r) => r.case_id));
        after = page.next;
      } while (after !== undefined);
      expect(seen.sort()).toEqual(all.map((r) => r.case_id).sort());
    }
  });
};
