import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { openBody } from '../specs/httpSpec.js';
import { servicesWith } from '../specs/servicesSpec.js';
import { parsed } from '../specs/caseCommands.js';

/** `docket audit …` on an SQLite store, then on copies of it tampered with directly. */
const root = mkdtempSync(join(tmpdir(), 'docket-audit-cli-'));
const pristine = join(root, 'pristine');
const docket = (dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['bin/docket.js', ...args], {
    env: { ...process.env, DOCKET_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
/** A copy of the pristine store, changed with plain SQL. */
const tampered = (name: string, sql: string) => {
  const dir = join(root, name);
  mkdirSync(dir);
  copyFileSync(join(pristine, 'docket.db'), join(dir, 'docket.db'));
  const db = new Database(join(dir, 'docket.db'));
  db.exec(sql);
  db.close();
  return dir;
};

beforeAll(async () => {
  mkdirSync(pristine);
  const store = new SqliteEventStore({ path: join(pristine, 'docket.db') });
  const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
  const { commands } = await servicesWith(store, clock);
  const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
  const li = { role: 'agent', id: 'li' } as const;
  for (const id of ['c1', 'c2']) {
    await commands.handle(parsed({ type: 'open', caseId: id, actor: ada, input: openBody }));
    clock.advanceTo(clock.now() + 3_600_000);
    await commands.handle(
      parsed({
        type: 'requestInfo',
        caseId: id,
        actor: li,
        input: { message: 'logs?' },
      }),
    );
    await commands.handle(
      parsed({
        type: 'customerReply',
        caseId: id,
        actor: ada,
        input: { message: 'here' },
      }),
    );
    await commands.handle(
      parsed({
        type: 'resolve',
        caseId: id,
        actor: li,
        input: { reason: 'fixed', summary: 'done' },
      }),
    );
  }
  // Checkpoint the WAL into the file so a plain copy holds everything.
  await store.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('docket audit', () => {
  it('verify: an intact store passes, exit 0', () => {
    const run = docket(pristine, 'audit', 'verify', '--all');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/streams, \d+ events verified in [\d.]+ s: intact/);
    expect(docket(pristine, 'audit', 'verify', 'c1').stdout).toMatch(/case-c1: 4 events, intact/);
    // Every stream and event once, however many threads share the work.
    const counted = (jobs: string) =>
      /(\d+ streams, \d+ events) verified/.exec(
        docket(pristine, 'audit', 'verify', '--all', '--jobs', jobs).stdout,
      )?.[1];
    expect(counted('1')).toBeDefined();
    expect(counted('4')).toBe(counted('1'));
    const refused = docket(pristine, 'audit', 'verify', '--all', '--jobs', '0');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/--jobs.*a whole number from 1 to 64/);
  });

  it('verify: a changed byte, a deleted row and two swapped rows are each caught and located', () => {
    const cases = [
      {
        dir: tampered(
          'byte',
          `UPDATE events SET data = replace(data, 'logs?', 'logs!') WHERE stream_id = 'case-c1' AND revision = 1`,
        ),
        expect: [/case-c1@1 altered/],
      },
      {
        dir: tampered('deleted', `DELETE FROM events WHERE stream_id = 'case-c2' AND revision = 2`),
        expect: [/case-c2@2 missing/, /case-c2@3 chain/],
      },
      {
        dir: tampered(
          'swapped',
          `UPDATE events SET revision = -1 WHERE stream_id = 'case-c1' AND revision = 1;
           UPDATE events SET revision = 1 WHERE stream_id = 'case-c1' AND revision = 2;
           UPDATE events SET revision = 2 WHERE stream_id = 'case-c1' AND revision = -1;`,
        ),
        expect: [/case-c1@1 (altered|chain)/, /case-c1@2 (altered|chain)/],
      },
    ];
    // On one thread, and split between threads by ranges of stream ids.
    for (const c of cases) {
      for (const jobs of ['1', '3']) {
        const run = docket(c.dir, 'audit', 'verify', '--all', '--jobs', jobs);
        expect(run.status, run.stdout).toBe(1);
        for (const pattern of c.expect) expect(run.stdout).toMatch(pattern);
        expect(run.stdout).toMatch(/\d+ break\(s\)/);
        expect(run.stderr).toMatch(/docket: \d+ break\(s\) found/);
      }
    }
  });

  it('history and at: replayed states, and the deadlines running at an instant', () => {
    const history = docket(pristine, 'audit', 'history', 'c1', '--json');
    expect(history.status, history.stderr).toBe(0);
    const { entries } = JSON.parse(history.stdout) as {
      entries: Array<{
        type: string;
        state: string;
        machineVersion: number;
        policyVersion: string;
      }>;
    };
    expect(entries.map((e) => [e.type, e.state])).toEqual([
      ['CaseOpened', 'opened'],
      ['CustomerInfoRequested', 'awaitingCustomer'],
      ['CustomerResponded', 'responded'],
      ['CaseResolved', 'resolved'],
    ]);
    expect(entries[0]).toMatchObject({ machineVersion: 2, policyVersion: 'seed-2026.2' });
    // Monday 10:30 Beijing, B due Tuesday 10:00 on 09:00–24:00: 13.5 h that day + 1 h = 14.5 h left.
    const at = docket(pristine, 'audit', 'at', 'c1', '2026-11-23T10:30:00+08:00');
    expect(at.status, at.stderr).toBe(0);
    expect(JSON.parse(at.stdout)).toMatchObject({
      state: 'opened',
      revision: 0,
      runningDeadlines: [
        {
          kind: 'response-deadline',
          dueAt: '2026-11-24T02:00:00.000Z',
          businessLeftMs: 14.5 * 3_600_000,
          calendar: 'cn-daily',
        },
      ],
    });
    const before = docket(pristine, 'audit', 'at', 'c1', '2026-11-22T10:30:00+08:00');
    expect(before.status).not.toBe(0);
    expect(before.stderr).toMatch(/did not exist at/);
  });

  it('export: JSON Lines and CSV that a recipient verifies with the documented recipe alone', () => {
    const csv = docket(pristine, 'audit', 'export', 'c1', '--format', 'csv');
    expect(csv.status, csv.stderr).toBe(0);
    const [header, ...rows] = csv.stdout.trim().split('\r\n');
    expect(header).toBe(
      'stream_id,revision,position,event_id,type,schema_version,occurred_at,actor_role,actor_id,actor_tenant,command_id,causation_id,correlation_id,policy_version,machine_version,previous_hash,hash,data,metadata',
    );
    expect(rows).toHaveLength(4);
    const jsonl = docket(pristine, 'audit', 'export', 'c1', '--format', 'json');
    const events = jsonl.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            streamId: string;
            revision: number;
            eventId: string;
            type: string;
            schemaVersion: number;
            data: unknown;
            metadata: Record<string, unknown> & { previousHash: string; hash: string };
          },
      );
    // The recipe of docs/auditing.md, written without any Docket code.
    const canonical = (v: unknown): string =>
      v === null || typeof v !== 'object'
        ? (JSON.stringify(v) ?? 'null')
        : Array.isArray(v)
          ? `[${v.map(canonical).join(',')}]`
          : `{${Object.keys(v)
              .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
              .join(',')}}`;
    let previous = '0'.repeat(64);
    for (const e of events) {
      const { previousHash, hash, ...metadata } = e.metadata;
      expect(previousHash).toBe(previous);
      const body = canonical({
        streamId: e.streamId,
        revision: e.revision,
        eventId: e.eventId,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data,
        metadata,
        previousHash,
      });
      expect(createHash('sha256').update(body).digest('hex')).toBe(hash);
      previous = hash;
    }
    const tenant = docket(
      pristine,
      'audit',
      'export',
      '--tenant',
      'contoso',
      '--from',
      '2026-11-23',
      '--to',
      '2026-11-24',
    );
    expect(tenant.stdout.trim().split('\n')).toHaveLength(8);
    const none = docket(
      pristine,
      'audit',
      'export',
      '--tenant',
      'contoso',
      '--from',
      '2026-11-24',
      '--to',
      '2026-11-25',
    );
    expect(none.stdout).toBe('');
    const bad = docket(pristine, 'audit', 'export', '--tenant', 'contoso');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--from and --to/);
  });
});
