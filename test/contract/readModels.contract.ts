import { describe } from 'vitest';
import { caseListFeature } from './readModels/caseList.js';
import { checkpointTransactionFeature } from './readModels/checkpointTransaction.js';
import { givenEventsThenRowsFeature } from './readModels/givenEventsThenRows.js';
import { readModelsHarness, type ReadModelsFixture } from './readModels/harness.js';
import { idempotencyFeature } from './readModels/idempotency.js';
import { positionsFeature } from './readModels/positions.js';
import { rebuildFeature } from './readModels/rebuild.js';
import { restartsFeature } from './readModels/restarts.js';
import { schemaFeature } from './readModels/schema.js';
import { versionsFeature } from './readModels/versions.js';

export type { ReadModelsFixture } from './readModels/harness.js';

/**
 * The read-model contract: one feature per capability (test/contract/readModels/), each a
 * function an adapter's spec may call on its own; this runs them all. Given events, then rows,
 * for each projection; idempotency; rebuild equality; positions; version changes; the
 * checkpoint in the rows' transaction; restarts. Every test gets an empty database of its own
 * from `open`.
 */
export const readModelsContract = (name: string, open: () => Promise<ReadModelsFixture>) => {
  describe(`read models contract: ${name}`, () => {
    const t = readModelsHarness(open);
    schemaFeature(t);
    givenEventsThenRowsFeature(t);
    idempotencyFeature(t);
    rebuildFeature(t);
    positionsFeature(t);
    versionsFeature(t);
    checkpointTransactionFeature(t);
    restartsFeature(t);
    caseListFeature(t);
  });
};
