import { describe, expect, it } from 'vitest';
import { caseQueue } from '../../../projections/caseQueue.js';
import { type Projection, applyEvents } from '../../../projections/projection.js';
import { slaCompliance } from '../../../projections/slaCompliance.js';
import type { RecordedEvent } from '../../../src/application/eventStore.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import {
  context,
  deferred,
  recordedHistory,
  redeliveringStore,
  scriptedHistory,
} from './history.js';
import { within } from '../../specs/within.js';
import { checkpoints, expectedFinal, tables } from './expectedRows.js';
import type { ReadModelsHarness } from './harness.js';

export const idempotencyFeature = (t: ReadModelsHarness): void => {
  describe('idempotency', () => {
    it('a second projector handed the whole log again applies nothing twice', async () => {
      const history = await scriptedHistory();
      await history.phase1();
      const head = await history.phase2();
      const first = t.projectorOn(history.store);
      await first.start();
      await t.caughtUp(first, head);
      await first.close();
      const before = { rows: await tables(t.db), checkpoints: await checkpoints(t.db) };

      let delivered = 0;
      let firstDelivered: bigint | undefined;
      const applied = deferred();
      const watched = t.projectorOn(redeliveringStore(history.store), {
        clock: new VirtualClock(Date.parse('2027-01-01T00:00:00Z')),
        batchSize: 7,
        onApplied: (batch) => {
          firstDelivered ??= batch.firstPosition;
          delivered += batch.events;
          if (delivered >= Number(head)) applied.resolve();
        },
      });
      await watched.start();
      await within(applied.promise, 10_000, 'the log delivered again');
      expect(firstDelivered).toBe(1n);
      // Rows, positions and even the checkpoints' updated_at (another clock) are untouched.
      expect({ rows: await tables(t.db), checkpoints: await checkpoints(t.db) }).toEqual(before);
    });

    it('two projectors on one database apply each event once', async () => {
      const history = await scriptedHistory();
      const a = t.projectorOn(history.store, { batchSize: 3 });
      const b = t.projectorOn(history.store, { batchSize: 5 });
      await a.start();
      await b.start();
      await history.phase1();
      const head = await history.phase2();
      await Promise.all([t.caughtUp(a, head), t.caughtUp(b, head)]);
      expect(await tables(t.db)).toEqual(expectedFinal);
    });

    it('two projectors preparing the same database at once both start', async () => {
      const history = await scriptedHistory();
      const a = t.projectorOn(history.store);
      const b = t.projectorOn(history.store);
      await Promise.all([a.start(), b.start()]);
      await history.phase1();
      const head = await history.phase2();
      await Promise.all([t.caughtUp(a, head), t.caughtUp(b, head)]);
      expect(await tables(t.db)).toEqual(expectedFinal);
    });

    /** Batches of `size` events (the last one shorter). */
    const chunks = <T>(items: readonly T[], size: number): T[][] =>
      Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
        items.slice(i * size, (i + 1) * size),
      );

    it('the evolve functions are deterministic: one batch, event by event and live give the same rows', async () => {
      const events = await recordedHistory();
      /** Each batch folded afresh: rows of cases opened earlier are read from the tables. */
      const applyIn = async (projection: Projection, batches: RecordedEvent[][]) => {
        await projection.drop(t.db);
        await projection.create(t.db);
        for (const batch of batches) {
          await t.db.transaction().execute((trx) => applyEvents(projection, trx, batch, context));
        }
      };
      /** One fold across the batches, as the projector keeps it: rows from memory. */
      const foldIn = async (projection: Projection, batches: RecordedEvent[][]) => {
        await projection.drop(t.db);
        await projection.create(t.db);
        const fold = projection.fold(context);
        for (const batch of batches) {
          for (const event of batch) fold.add(event);
          await t.db.transaction().execute((trx) => fold.take()(trx));
        }
      };
      for (const batches of [[events], events.map((e) => [e]), chunks(events, 4)]) {
        for (const apply of [applyIn, foldIn]) {
          await apply(caseQueue, batches);
          await apply(slaCompliance, batches);
          expect(await tables(t.db)).toEqual(expectedFinal);
        }
      }
      // Twice the same batch into fresh tables: the same rows again.
      await applyIn(caseQueue, [events]);
      await applyIn(slaCompliance, [events]);
      expect(await tables(t.db)).toEqual(expectedFinal);
    });
  });
};
