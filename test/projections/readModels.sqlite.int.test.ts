import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteReadModels } from '../../src/adapters/readModelDb.js';
import { readModelsContract } from '../contract/readModels.contract.js';

/** The read-model contract against SQLite: a fresh `readmodels.db` file per test. */
const dir = mkdtempSync(join(tmpdir(), 'docket-readmodels-'));
let files = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

readModelsContract('sqlite', () => {
  const db = openSqliteReadModels(join(dir, `${++files}`, 'readmodels.db'));
  return Promise.resolve({ db, lockCheckpoints: false, cleanup: () => db.destroy() });
});
