import { describe, expect, it } from 'vitest';
import { scriptedHistory } from './history.js';
import { within } from '../../specs/within.js';
import { expectedFinal, tables } from './expectedRows.js';
import type { ReadModelsHarness } from './harness.js';

export const restartsFeature = (t: ReadModelsHarness): void => {
  describe('restarts', () => {
    const projectedOnce = async () => {
      const history = await scriptedHistory();
      await history.phase1();
      const head = await history.phase2();
      const first = t.projectorOn(history.store);
      await first.start();
      await t.caughtUp(first, head);
      await first.close();
      return { history, head };
    };

    it('a projector started on a caught-up database is caught up at once', async () => {
      const { history, head } = await projectedOnce();
      const again = t.projectorOn(history.store);
      await again.start();
      await t.caughtUp(again, head, 1_000);
      // Still following the log: an unrelated event moves the checkpoints, not the rows.
      const next = await history.unrelated();
      await t.caughtUp(again, next);
      expect(await tables(t.db)).toEqual(expectedFinal);
      expect((await again.status()).map((s) => s.position)).toEqual([Number(next), Number(next)]);
    });

    it('a projector closed right after start() closes', async () => {
      const { history } = await projectedOnce();
      const again = t.projectorOn(history.store);
      await again.start();
      await within(again.close(), 1_000, 'close right after start');
    });
  });
};
