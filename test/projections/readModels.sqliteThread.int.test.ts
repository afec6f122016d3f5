import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteReadModels } from '../../src/adapters/readModelDb.js';
import { readModelsContract } from '../contract/readModels.contract.js';

/**
 * The read-model contract against SQLite in a thread of its own (what the projector uses),
 * writes of a transaction pipelined: a fresh `readmodels.db` file per test.
 */
const dir = mkdtempSync(join(tmpdir(), 'docket-readmodels-thread-'));
let files = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

readModelsContract('sqlite-thread', () => {
  const db = openSqliteReadModels(join(dir, `${++files}`, 'readmodels.db'), { thread: true });
  return Promise.resolve({ db, lockCheckpoints: false, cleanup: () => db.destroy() });
});
