import { describe, expect, it } from 'vitest';
import { caseQueue } from '../../../projections/caseQueue.js';
import { readPositions, readWithPosition } from '../../../projections/projectionPositions.js';
import { queryQueue } from '../../../projections/queueQueries.js';
import { slaCompliance } from '../../../projections/slaCompliance.js';
import type { EventStore } from '../../../src/application/eventStore.js';
import type { CheckpointReset, ProjectorOptions } from '../../../src/application/projector.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import { deferred, scriptedHistory } from './history.js';
import { within } from '../../specs/within.js';
import { checkpoints, expectedFinal, tables } from './expectedRows.js';
import { contractProjections, type ReadModelsHarness } from './harness.js';

export const positionsFeature = (t: ReadModelsHarness): void => {
  describe('positions: a rebuild marks itself in the checkpoint rows', () => {
    const at2027 = '2027-01-01T00:00:00.000Z';
    const projected = async (options: Partial<ProjectorOptions> = {}) => {
      const { history, projector } = await t.projectedPhase1(options);
      const head = await history.phase2();
      await t.caughtUp(projector, head);
      return { history, projector, head };
    };
    /** `docket projections rebuild` in another process, killed right after it emptied the tables. */
    const killedRebuild = (store: EventStore) =>
      t.projectorOn(store, { clock: new VirtualClock(Date.parse(at2027)) }).rebuild();
    /** A projector's `onApplied`: `replayed()` resolves once, armed, a batch reaches `to`. */
    const replayWatch = () => {
      const done = deferred();
      let to: bigint | undefined;
      return {
        arm: (position: bigint) => (to = position),
        onApplied: (batch: { lastPosition: bigint }) => {
          if (to !== undefined && batch.lastPosition >= to) done.resolve();
        },
        replayed: () => within(done.promise, 10_000, `replayed to ${to}`),
      };
    };

    it('a first start on a log with events is rebuilding until its checkpoint reaches the head', async () => {
      const history = await scriptedHistory();
      const head = await history.phase1();
      const projector = t.projectorOn(history.store);
      await projector.prepare();
      expect(await projector.status()).toEqual(
        contractProjections.map(
          (p) =>
            expect.objectContaining({
              name: p.name,
              position: -1,
              rebuilding: true,
            }) as unknown,
        ),
      );
      expect((await checkpoints(t.db)).map((c) => c.rebuild_to)).toEqual([
        Number(head),
        Number(head),
      ]);
      await projector.start();
      await t.caughtUp(projector, head);
      expect((await checkpoints(t.db)).map((c) => [c.position, c.rebuild_to])).toEqual([
        [Number(head), null],
        [Number(head), null],
      ]);
      expect((await projector.status()).map((s) => s.rebuilding)).toEqual([false, false]);
    });

    it('every reader sees a rebuild whose process died, with the position each answer reflects', async () => {
      const { history, projector, head } = await projected();
      await projector.close();
      await killedRebuild(history.store);
      // Emptied, reset and marked in one transaction.
      expect(await checkpoints(t.db)).toEqual(
        contractProjections.map((p) => ({
          name: p.name,
          version: p.version,
          position: -1,
          updated_at: at2027,
          rebuild_to: Number(head),
        })),
      );
      expect(await tables(t.db)).toEqual({ case_queue: [], sla_cases: [], agent_workload: [] });
      expect(await readPositions(t.db, contractProjections)).toEqual(
        contractProjections.map((p) => ({
          name: p.name,
          version: p.version,
          position: -1,
          rebuilding: true,
          updatedAt: at2027,
        })),
      );
      expect(await readWithPosition(t.db, caseQueue, (trx) => queryQueue(trx, 'agent'))).toEqual({
        answer: [],
        position: {
          name: 'case-queue',
          version: caseQueue.version,
          position: -1,
          rebuilding: true,
          updatedAt: at2027,
        },
      });

      // The next projector to start finishes the replay, and the mark goes with its last batch.
      const next = t.projectorOn(history.store, { batchSize: 5 });
      await next.start();
      await t.caughtUp(next, head);
      expect(await tables(t.db)).toEqual(expectedFinal);
      expect((await checkpoints(t.db)).map((c) => [c.position, c.rebuild_to])).toEqual([
        [Number(head), null],
        [Number(head), null],
      ]);
      const answer = await readWithPosition(t.db, slaCompliance, (trx) =>
        trx.selectFrom('sla_cases').select('case_id').execute(),
      );
      expect([answer.answer.length, answer.position.position, answer.position.rebuilding]).toEqual([
        expectedFinal.sla_cases.length,
        Number(head),
        false,
      ]);
    });

    it('an idle projector finds its checkpoints reset elsewhere and replays, with no new event', async () => {
      const watch = replayWatch();
      const resets: CheckpointReset[] = [];
      // A watch that never fires by itself: the test calls it.
      const { history, projector, head } = await projected({
        watchMs: 3_600_000,
        onApplied: watch.onApplied,
        onCheckpointReset: (reset) => resets.push(reset),
      });
      expect(resets).toEqual([]);
      await killedRebuild(history.store);
      watch.arm(head);
      expect(await projector.checkCheckpoints()).toBe(true);
      await watch.replayed();
      // Told once per projection, so the service logs why it replays.
      expect(resets).toEqual(
        ['case-queue', 'sla-compliance'].map((projection) => ({
          projection,
          from: Number(head),
          to: -1,
          reason: 'moved-elsewhere',
        })),
      );
      expect(await tables(t.db)).toEqual(expectedFinal);
      expect((await checkpoints(t.db)).map((c) => [c.position, c.rebuild_to])).toEqual([
        [Number(head), null],
        [Number(head), null],
      ]);
    });

    it('it does so by itself every watchMs', async () => {
      const watch = replayWatch();
      const { history, head } = await projected({ watchMs: 10, onApplied: watch.onApplied });
      watch.arm(head);
      await killedRebuild(history.store);
      await watch.replayed();
      expect(await tables(t.db)).toEqual(expectedFinal);
    });

    it('a checkpoint table made before rebuild_to existed gets the column; positions and rows are kept', async () => {
      const { history, projector } = await t.projectedPhase1();
      await projector.close();
      await t.db.schema.alterTable('projection_checkpoints').dropColumn('rebuild_to').execute();
      const before = { rows: await tables(t.db), checkpoints: await checkpoints(t.db) };
      expect(before.checkpoints.every((c) => !('rebuild_to' in c))).toBe(true);

      const next = t.projectorOn(history.store);
      await next.prepare();
      await next.prepare(); // twice: nothing left to add
      expect({ rows: await tables(t.db), checkpoints: await checkpoints(t.db) }).toEqual({
        rows: before.rows,
        checkpoints: before.checkpoints.map((c) => ({ ...c, rebuild_to: null })),
      });
      await next.start();
      await t.caughtUp(next, await history.phase2());
      expect(await tables(t.db)).toEqual(expectedFinal);
    });
  });
};
