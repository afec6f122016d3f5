import { afterEach, beforeEach } from 'vitest';
import { caseQueue } from '../../../projections/caseQueue.js';
import type { Projection } from '../../../projections/projection.js';
import { slaCompliance } from '../../../projections/slaCompliance.js';
import { ProjectionCheckpointStore } from '../../../src/adapters/projectionCheckpointStore.js';
import type { ReadModelDb } from '../../../src/adapters/readModelDb.js';
import type { EventStore } from '../../../src/application/eventStore.js';
import { Projector, type ProjectorOptions } from '../../../src/application/projector.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import { context, scriptedHistory } from './history.js';
import { within } from '../../specs/within.js';

/**
 * The projections whose every row and checkpoint the features spell out. The projector's
 * mechanics (positions, rebuilds, versions, restarts) do not depend on which projections it
 * runs; `case-list` has a feature of its own (caseList.ts), which runs it beside these.
 */
export const contractProjections: readonly Projection[] = [caseQueue, slaCompliance];

/** One empty read-model database, and how to remove it. */
export interface ReadModelsFixture {
  readonly db: ReadModelDb;
  /** What the service passes the projector for this database (PostgreSQL: true). */
  readonly lockCheckpoints: boolean;
  cleanup(): Promise<void>;
}

/**
 * What every feature of the read-model contract works with: an empty database of its own per
 * test (from `open`), projectors on it (closed after the test), and the scripted history's
 * first phase projected.
 */
export const readModelsHarness = (open: () => Promise<ReadModelsFixture>) => {
  let fixture: ReadModelsFixture | undefined;
  let projectors: Projector[] = [];

  beforeEach(async () => {
    fixture = await open();
    projectors = [];
  });

  afterEach(async () => {
    for (const projector of projectors) {
      await within(projector.close(), 500, 'closing a projector').catch(() => undefined);
    }
    await fixture?.cleanup();
  });

  const current = (): ReadModelsFixture => {
    if (fixture === undefined) throw new Error('the read-model database opens before each test');
    return fixture;
  };

  const projectorOn = (store: EventStore, options: Partial<ProjectorOptions> = {}) => {
    const { db, lockCheckpoints } = current();
    const projector = new Projector({
      store,
      checkpoints: new ProjectionCheckpointStore(db, { lock: lockCheckpoints }),
      projections: contractProjections,
      context,
      clock: new VirtualClock(Date.parse('2026-12-01T00:00:00Z')),
      batchMs: 2,
      ...options,
    });
    projectors.push(projector);
    return projector;
  };

  const caughtUp = (projector: Projector, position: bigint, ms = 10_000) =>
    within(projector.caughtUp(position), ms, `projector caught up to ${position}`);

  /** Phase 1 projected by a running projector (the history object continues from there). */
  const projectedPhase1 = async (options: Partial<ProjectorOptions> = {}) => {
    const history = await scriptedHistory();
    const projector = projectorOn(history.store, options);
    await projector.start();
    const head = await history.phase1();
    await caughtUp(projector, head);
    return { history, projector, head };
  };

  return {
    /** This test's database. */
    get db(): ReadModelDb {
      return current().db;
    },
    projectorOn,
    caughtUp,
    projectedPhase1,
  };
};

export type ReadModelsHarness = ReturnType<typeof readModelsHarness>;
