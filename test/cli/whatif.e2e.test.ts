import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import type { Actor } from '../../src/domain/actor.js';
import { defaultPolicy, defaultPolicyDocument } from '../../src/domain/policy/defaultPolicy.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { parsed } from '../specs/caseCommands.js';
import { RecordingWorld } from '../specs/recordingWorld.js';
import { contosoTenant, fabrikamTenant, servicesWith } from '../specs/servicesSpec.js';

/**
 * `docket policy whatif` (the built program) on an SQLite store written by the real command
 * handler, timers fired as the service fires them.
 */
const root = mkdtempSync(join(tmpdir(), 'docket-whatif-cli-'));
const data = join(root, 'data');
const lagged = join(root, 'lagged');
const docketOn = (dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['bin/docket.js', 'policy', 'whatif', ...args], {
    env: { ...process.env, DOCKET_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
const docket = (...args: string[]) => docketOn(data, ...args);
const file = (name: string, content: string) => {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
};

const ada: Actor = { role: 'customer-admin', tenant: 'contoso', id: 'ada' };
const fay: Actor = { role: 'customer-admin', tenant: 'fabrikam', id: 'fay' };
const li: Actor = { role: 'agent', id: 'li' };
const openInput = (severity: string) => ({
  line: 'technical',
  severity,
  category: 'sso',
  title: 'Sign-in fails',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
});
let candidate: string;

beforeAll(async () => {
  mkdirSync(data);
  const store = new SqliteEventStore({ path: join(data, 'docket.db') });
  const w = await RecordingWorld.start(store, '2026-11-01T00:00:00+08:00', defaultPolicy, [
    contosoTenant,
    fabrikamTenant,
  ]);
  const run = async (at: string, actor: Actor, command: string, id: string, input: unknown) => {
    const refused = await w.at(at, actor, command as 'open', id, input);
    if (refused !== undefined) throw refused;
  };
  // late: B opened Monday 10:00 Beijing, due Tuesday 10:00, answered Tuesday 15:00 (breach).
  await run('2026-11-23T10:00:00+08:00', ada, 'open', 'late', openInput('B'));
  await run('2026-11-23T11:00:00+08:00', fay, 'open', 'quick', openInput('C'));
  await run('2026-11-23T11:30:00+08:00', li, 'respond', 'quick', { message: 'On it.' });
  await run('2026-11-24T15:00:00+08:00', li, 'respond', 'late', { message: 'Sorry.' });
  await run('2026-11-24T16:00:00+08:00', li, 'resolve', 'late', { reason: 'fixed', summary: 'x' });
  await w.until('2026-12-05T00:00:00+08:00');
  await run('2026-12-05T00:00:00+08:00', ada, 'open', 'december', openInput('C'));
  await store.close();
  // A log whose nonresponse timer never ran: the customer replied after the deadline.
  mkdirSync(lagged);
  const laggedStore = new SqliteEventStore({ path: join(lagged, 'docket.db') });
  const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
  const { commands } = await servicesWith(laggedStore, clock);
  const handle = async (
    type: 'open' | 'requestInfo' | 'customerReply',
    actor: Actor,
    input: unknown,
  ) => {
    const result = await commands.handle(parsed({ type, caseId: 'down', actor, input }));
    if (!result.ok) throw result.error;
  };
  await handle('open', ada, openInput('B'));
  clock.advanceTo(Date.parse('2026-11-23T03:00:00Z'));
  await handle('requestInfo', li, { message: 'Logs, please.' });
  clock.advanceTo(Date.parse('2026-11-25T07:00:00Z'));
  await handle('customerReply', ada, { message: 'Here.' });
  await laggedStore.close();
  const doc = structuredClone(defaultPolicyDocument);
  doc.version = 'candidate-1';
  doc.offerings['21vianet']!.lines.technical!.severities.B!.responseTarget = { businessDays: 2 };
  candidate = file('candidate.json', JSON.stringify(doc));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

// Each test starts the built program several times, which a loaded VM makes slow.
describe('docket policy whatif', { timeout: 120_000 }, () => {
  it('prints the figures, the changed cases, the refusals and the note', () => {
    const run = docket('--policy', candidate, '--from', '2026-11-01', '--to', '2026-12-01');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('the log replayed under policy candidate-1');
    expect(run.stdout).toMatch(/21vianet\/technical\/B +1 +0\/1 → 1\/1 +1 → 0 /);
    expect(run.stdout).toMatch(/all\/all\/all +2 +1\/2 → 2\/2 +1 → 0 /);
    expect(run.stdout).toContain(
      'late  21vianet/technical/B  breach: true → false at 2026-11-24T02:00:00.000Z',
    );
    expect(run.stdout).toContain('Commands refused: 0');
    expect(run.stdout).toContain(
      'Note: Customer and agent actions are replayed at their recorded instants',
    );
  });

  it('is deterministic: the same log and candidate give byte-identical output', () => {
    // The CSV is a function of the same report as the JSON.
    for (const format of [[], ['--json']]) {
      const first = docket('--policy', candidate, ...format);
      const second = docket('--policy', candidate, ...format);
      expect(first.status).toBe(0);
      expect(second.stdout).toBe(first.stdout);
    }
  });

  it('--threads: one thread or several (ranges of case streams) print the same bytes', () => {
    for (const policy of [candidate, 'recorded']) {
      const one = docket('--policy', policy, '--json', '--threads', '1');
      expect(one.status).toBe(0);
      for (const threads of ['2', '3']) {
        const run = docket('--policy', policy, '--json', '--threads', threads);
        expect(run.stderr).toBe('');
        expect(run.stdout).toBe(one.stdout);
      }
    }
  });

  it('--json prints the report; --csv the figures, one row per group then all', () => {
    const json = JSON.parse(docket('--policy', candidate, '--json').stdout) as {
      overall: { before: { cases: number } };
      changed: Array<{ caseId: string }>;
      asOf: { at: string };
    };
    expect(json.overall.before.cases).toBe(3);
    expect(json.changed.map((c) => c.caseId)).toEqual(['late']);
    expect(json.asOf.at).toBe('2026-12-04T16:00:00.000Z');
    const csv = docket('--policy', candidate, '--csv', '--tenant', 'contoso');
    const rows = csv.stdout.trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^offering,line,severity,cases_before,cases_after,/);
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 5).join(','))).toEqual([
      '21vianet,technical,B,1,1',
      '21vianet,technical,C,1,1',
      'all,all,all,2,2',
    ]);
    expect(csv.stderr).toContain('note: Customer and agent actions');
  });

  it('--policy recorded reproduces the log (exit 0, nothing changed)', () => {
    const run = docket('--policy', 'recorded');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Cases whose outcome changes: 0');
  });

  it('--policy recorded on a log the replay does not reproduce prints the report, then fails', () => {
    const run = docketOn(lagged, '--policy', 'recorded');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      'down  21vianet/technical/B  downgrades: 0 → 1 at 2026-11-25T03:00:00.000Z',
    );
    expect(run.stderr).toBe(
      'docket: the replay under the recorded policies does not reproduce the log: 1 case(s) differ, 0 command(s) refused\n',
    );
  });

  it.each([
    [['--policy', 'recorded', '--bogus'], /unknown option '--bogus'/],
    [
      ['--policy', '/nonexistent/policy.json'],
      /cannot read policy file \/nonexistent\/policy.json: ENOENT/,
    ],
    [['--policy', 'NOT_JSON'], /cannot read policy file NOT_JSON/],
    [['--from', '2026-11-01'], /required option '--policy <file>' not specified/],
    [
      ['--policy', 'recorded', '--from', '2026-13-01'],
      /--from: not a day \(YYYY-MM-DD\) or an ISO 8601 instant/,
    ],
    [['--policy', 'recorded', '--to', '2026-11-01T00:00:00'], /--to: not a day/],
    [['--policy', 'recorded', '--from', '2026-12-01', '--to', '2026-11-01'], /is not before --to/],
    [['--policy', 'recorded', '--json', '--csv'], /--json or --csv, not both/],
    [['--policy', 'recorded', '--threads', '0'], /--threads <n>.*a whole number from 1 to 64/],
  ])('refuses %j with a message on stderr and a non-zero exit', (args, message) => {
    const run = docket(...args);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('refuses an invalid policy file, naming the failing path', () => {
    const bad = file(
      'bad.json',
      JSON.stringify({ ...defaultPolicyDocument, autoClose: { days: -1 } }),
    );
    const run = docket('--policy', bad);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/\[policy-invalid\]/);
    expect(run.stderr).toMatch(/autoClose\.days/);
    const notJson = docket('--policy', file('broken.json', '{ "version": '));
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toMatch(/is not valid JSON/);
  });
});
