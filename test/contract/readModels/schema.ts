import { expect, it } from 'vitest';
import { caseQueue } from '../../../projections/caseQueue.js';
import { slaCompliance } from '../../../projections/slaCompliance.js';
import { MemoryEventStore } from '../../../src/adapters/memoryEventStore.js';
import { checkpoints, documentedColumns, ownTables, typeFamily } from './expectedRows.js';
import type { ReadModelsHarness } from './harness.js';

export const schemaFeature = (t: ReadModelsHarness): void => {
  it('creates the documented tables and view, with the documented columns', async () => {
    await t.projectorOn(new MemoryEventStore()).prepare();
    const found = await ownTables(t.db);
    const columns = (table: string) =>
      found
        .find((t) => t.name === table)
        ?.columns.map((c) => [c.name, typeFamily(c.dataType), c.isNullable]);
    expect(found.map((t) => [t.name, t.isView]).sort()).toEqual([
      ['agent_workload', true],
      ['case_queue', false],
      ['projection_checkpoints', false],
      ['sla_cases', false],
    ]);
    for (const [table, expected] of Object.entries(documentedColumns)) {
      expect(columns(table), table).toEqual(expected);
    }
    expect(columns('agent_workload')?.map(([c]) => c)).toEqual(['assignee', 'state', 'cases']);
    expect(await checkpoints(t.db)).toEqual([
      {
        name: 'case-queue',
        version: caseQueue.version,
        position: -1,
        updated_at: '2026-12-01T00:00:00.000Z',
        rebuild_to: null,
      },
      {
        name: 'sla-compliance',
        version: slaCompliance.version,
        position: -1,
        updated_at: '2026-12-01T00:00:00.000Z',
        rebuild_to: null,
      },
    ]);
  });
};
