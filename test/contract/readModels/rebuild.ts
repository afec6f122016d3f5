import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/adapters/memoryEventStore.js';
import { copyEvents, observedStore, recordedHistory, z } from './history.js';
import { checkpoints, expectedFinal, queueAfterPhase2, tables } from './expectedRows.js';
import type { ReadModelsHarness } from './harness.js';

export const rebuildFeature = (t: ReadModelsHarness): void => {
  describe('rebuild', () => {
    it('rows built live, in many small batches, equal the rows of a rebuild from 0', async () => {
      const { history, projector } = await t.projectedPhase1({ batchSize: 4 });
      const head = await history.phase2();
      await t.caughtUp(projector, head);
      const live = { rows: await tables(t.db), checkpoints: await checkpoints(t.db) };
      expect(live.rows).toEqual(expectedFinal);

      await projector.rebuild();
      await t.caughtUp(projector, head);
      expect({ rows: await tables(t.db), checkpoints: await checkpoints(t.db) }).toEqual(live);
    });

    it('rebuild(name) empties and replays that projection only', async () => {
      const { history, projector } = await t.projectedPhase1();
      const head = await history.phase2();
      await t.caughtUp(projector, head);
      await projector.rebuild(['sla-compliance']);
      expect(await projector.status()).toEqual([
        expect.objectContaining({
          name: 'case-queue',
          position: Number(head),
          rebuilding: false,
        }),
        expect.objectContaining({ name: 'sla-compliance', position: -1, rebuilding: true }),
      ]);
      expect((await tables(t.db)).case_queue).toEqual(queueAfterPhase2);
      await t.caughtUp(projector, head);
      expect(await tables(t.db)).toEqual(expectedFinal);
    });

    it('rebuild while a batch is still waiting to be written gives the same rows', async () => {
      const events = await recordedHistory();
      const phase1End = events.findIndex((e) => e.metadata.occurredAt >= z('30T00:00'));
      const { store, delivered } = observedStore(new MemoryEventStore());
      // The timer writes a batch after 250 ms: long enough for the rebuild to start first.
      const projector = t.projectorOn(store, { batchMs: 250 });
      await projector.start();
      await t.caughtUp(projector, await copyEvents(events.slice(0, phase1End), store));
      const head = await copyEvents(events.slice(phase1End), store);
      await delivered(head); // phase 2 waits in the projector's batch
      await projector.rebuild();
      await t.caughtUp(projector, head);
      expect(await tables(t.db)).toEqual(expectedFinal);
    });
  });
};
