import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import type { StreamBreak } from '../../src/application/auditVerifier.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { rangesBetween, verifyInThreads } from '../../src/cli/verifyThreads.js';
import { openBody } from '../specs/httpSpec.js';
import { servicesWith } from '../specs/servicesSpec.js';
import { parsed } from '../specs/caseCommands.js';

/** `docket audit verify --all`'s threads, run from the sources (the worker loads tsx itself). */
const dir = mkdtempSync(join(tmpdir(), 'docket-verify-threads-'));
const path = join(dir, 'docket.db');

beforeAll(async () => {
  const store = new SqliteEventStore({ path });
  const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
  const { commands } = await servicesWith(store, clock);
  const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
  const li = { role: 'agent', id: 'li' } as const;
  for (let i = 0; i < 12; i++) {
    const caseId = `c${i}`;
    await commands.handle(parsed({ type: 'open', caseId, actor: ada, input: openBody }));
    await commands.handle(
      parsed({ type: 'respond', caseId, actor: li, input: { message: 'on it' } }),
    );
  }
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const verify = async (jobs: number) => {
  const store = new SqliteEventStore({ path });
  const total = await store.countEvents();
  const splits = store.streamIdSplits(jobs);
  await store.close();
  const breaks: StreamBreak[] = [];
  const result = await verifyInThreads(
    path,
    splits,
    (b) => breaks.push(b),
    () => undefined,
  );
  return { total, splits, result, breaks };
};

describe('audit verify in threads', () => {
  it('ranges cover the id space once: below the first split, between splits, from the last', () => {
    expect(rangesBetween([])).toEqual([{}]);
    expect(rangesBetween(['b', 'd'])).toEqual([
      { toStreamId: 'b' },
      { fromStreamId: 'b', toStreamId: 'd' },
      { fromStreamId: 'd' },
    ]);
  });

  it('every event is verified once, however many threads', async () => {
    for (const jobs of [1, 3]) {
      const { total, splits, result, breaks } = await verify(jobs);
      expect(splits).toHaveLength(jobs - 1);
      expect(result.events).toBe(total);
      expect(result.breaks).toBe(0);
      expect(breaks).toEqual([]);
    }
  });

  it('a break found in a thread reaches the caller with its stream and revision', async () => {
    const db = new Database(path);
    db.prepare(
      `UPDATE events SET data = replace(data, 'on it', 'on  it') WHERE stream_id = 'case-c7' AND revision = 1`,
    ).run();
    db.close();
    const { result, breaks } = await verify(3);
    expect(result.breaks).toBe(1);
    expect(breaks).toEqual([
      expect.objectContaining({ streamId: 'case-c7', revision: 1, kind: 'altered' }),
    ]);
  });
});
