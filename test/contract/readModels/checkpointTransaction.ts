import { describe, expect, it } from 'vitest';
import { caseQueue } from '../../../projections/caseQueue.js';
import type { Projection } from '../../../projections/projection.js';
import { slaCompliance } from '../../../projections/slaCompliance.js';
import { MemoryEventStore } from '../../../src/adapters/memoryEventStore.js';
import { copyEvents, deferred, observedStore, recordedHistory } from './history.js';
import { within } from '../../specs/within.js';
import { checkpoints, expectedFinal, tables } from './expectedRows.js';
import type { ReadModelsHarness } from './harness.js';

export const checkpointTransactionFeature = (t: ReadModelsHarness): void => {
  describe('the checkpoint moves in the rows’ transaction', () => {
    /** case-queue, failing its next apply (after `gate`, if given) once armed. */
    const failingCaseQueue = () => {
      let armed = false;
      let gate: Promise<void> | undefined;
      const entered = deferred();
      const projection: Projection = {
        ...caseQueue,
        fold: (ctx) => {
          const inner = caseQueue.fold(ctx);
          return {
            add: (event) => inner.add(event),
            take: () => {
              const write = inner.take();
              return async (trx) => {
                if (!armed) return write(trx);
                armed = false;
                entered.resolve();
                await write(trx); // rows written, then the failure
                if (gate !== undefined) await gate;
                throw new Error('injected failure');
              };
            },
          };
        },
      };
      return {
        projection,
        entered: entered.promise,
        arm: (until?: Promise<void>) => {
          armed = true;
          gate = until;
        },
      };
    };

    it('a failing batch leaves rows and checkpoints as they were; the projector retries', async () => {
      const failing = failingCaseQueue();
      const failed = deferred();
      const errors: unknown[] = [];
      const { history, projector } = await t.projectedPhase1({
        projections: [slaCompliance, failing.projection],
        onError: (error) => {
          errors.push(error);
          failed.resolve();
        },
      });
      const before = { rows: await tables(t.db), checkpoints: await checkpoints(t.db) };
      failing.arm();
      const head = await history.phase2();
      await within(failed.promise, 10_000, 'the injected failure');
      // sla-compliance applied the batch first, in the same transaction: rolled back too.
      expect({ rows: await tables(t.db), checkpoints: await checkpoints(t.db) }).toEqual(before);
      expect(errors).toEqual([new Error('injected failure')]);

      await t.caughtUp(projector, head); // after the projector's 1 s pause
      expect(await tables(t.db)).toEqual(expectedFinal);
    });

    it('a failed batch is never skipped by the batch queued behind it', async () => {
      const events = await recordedHistory();
      const failing = failingCaseQueue();
      const gate = deferred();
      const observed = observedStore(new MemoryEventStore());
      const projector = t.projectorOn(observed.store, {
        projections: [slaCompliance, failing.projection],
        batchSize: 10,
        batchMs: 2,
        onError: () => undefined,
      });
      await projector.start();
      // Batch A (6 events, under batchSize) is written by the timer, and fails once released…
      failing.arm(gate.promise);
      await copyEvents(events.slice(0, 6), observed.store);
      await within(failing.entered, 10_000, 'batch A applied');
      // …while batch B (10 events: batchSize) queues behind it.
      const bEnd = await copyEvents(events.slice(6, 16), observed.store);
      await observed.delivered(bEnd);
      gate.resolve();
      const head = await copyEvents(events.slice(16), observed.store);
      await t.caughtUp(projector, head);
      expect(await tables(t.db)).toEqual(expectedFinal);
    });
  });
};
