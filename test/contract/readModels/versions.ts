import { describe, expect, it } from 'vitest';
import { caseQueue } from '../../../projections/caseQueue.js';
import { slaCompliance } from '../../../projections/slaCompliance.js';
import type { CheckpointReset } from '../../../src/application/projector.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import { checkpoints, expectedFinal, queueAfterPhase2, tables } from './expectedRows.js';
import type { ReadModelsHarness } from './harness.js';

export const versionsFeature = (t: ReadModelsHarness): void => {
  describe('versions', () => {
    it('a projection whose version changed is dropped and rebuilt from 0 by prepare()', async () => {
      const { history, projector } = await t.projectedPhase1();
      const head = await history.phase2();
      await t.caughtUp(projector, head);
      await projector.close();
      const before = await checkpoints(t.db);
      // A row no event made: a rebuild must not keep it.
      await t.db
        .insertInto('case_queue')
        .values({ ...queueAfterPhase2[0]!, case_id: 'stray' })
        .execute();

      const bumped = caseQueue.version + 1;
      const v2 = { ...caseQueue, version: bumped };
      const resets: CheckpointReset[] = [];
      const next = t.projectorOn(history.store, {
        projections: [v2, slaCompliance],
        clock: new VirtualClock(Date.parse('2027-01-01T00:00:00Z')),
        onCheckpointReset: (reset) => resets.push(reset),
      });
      await next.prepare();
      expect(resets).toEqual([
        { projection: 'case-queue', from: -1, to: -1, reason: 'version-changed' },
      ]);
      expect((await tables(t.db)).case_queue).toEqual([]);
      expect(await next.status()).toEqual([
        {
          name: 'case-queue',
          version: bumped,
          position: -1,
          rebuilding: true,
          updatedAt: '2027-01-01T00:00:00.000Z',
        },
        {
          name: 'sla-compliance',
          version: slaCompliance.version,
          position: Number(head),
          rebuilding: false,
          updatedAt: before[1]!.updated_at,
        },
      ]);
      await next.start();
      await t.caughtUp(next, head);
      expect(await tables(t.db)).toEqual(expectedFinal);
      expect(await checkpoints(t.db)).toEqual([
        { ...before[0]!, version: bumped, updated_at: '2027-01-01T00:00:00.000Z' },
        before[1],
      ]);
    });
  });
};
