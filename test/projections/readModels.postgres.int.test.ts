import { it } from 'vitest';
import { openPostgresReadModels } from '../../src/adapters/readModelDb.js';
import { readModelsContract } from '../contract/readModels.contract.js';
import { createTestSchema, postgresAvailability } from '../specs/postgresSpec.js';

/**
 * The read-model contract against the real PostgreSQL (DATABASE_URL, else 127.0.0.1:5432/test):
 * every test gets a schema `docket_test_<uuid>` of its own, dropped afterwards, so runs sharing
 * a server never meet. Without PostgreSQL the file is one skipped test saying why, unless
 * DOCKET_REQUIRE_SERVICES=1 (CI), where it fails.
 */
const postgres = await postgresAvailability();

if (postgres.mode === 'skip') {
  it.skip(`postgres read models — skipped: ${postgres.reason}`, () => undefined);
} else if (postgres.mode === 'fail') {
  it('postgres read models: PostgreSQL is required', () => {
    throw new Error(postgres.reason);
  });
} else {
  readModelsContract('postgres', async () => {
    const schema = await createTestSchema(postgres.url);
    const db = openPostgresReadModels(postgres.url, schema.name);
    return {
      db,
      lockCheckpoints: true,
      cleanup: async () => {
        await db.destroy();
        await schema.drop();
      },
    };
  });
}
