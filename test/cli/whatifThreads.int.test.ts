import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import { caseEventUpcasters } from '../../src/application/caseEventUpcasters.js';
import { UpcasterRegistry, withUpcasting } from '../../src/application/upcasting.js';
import { recordedPolicies } from '../../src/application/whatif/recordedPolicies.js';
import { CASE_STREAMS } from '../../src/application/whatif/replayCaseStreams.js';
import { runWhatif } from '../../src/application/whatif/runWhatif.js';
import { whatifInThreads } from '../../src/cli/whatifThreads.js';
import type { Actor } from '../../src/domain/actor.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import type { Policy } from '../../src/domain/policy/policy.js';
import { candidatePolicy } from '../specs/candidatePolicy.js';
import { RecordingWorld } from '../specs/recordingWorld.js';
import { contosoTenant, fabrikamTenant } from '../specs/servicesSpec.js';

/** `docket policy whatif`'s threads, run from the sources (the worker loads tsx itself). */
const dir = mkdtempSync(join(tmpdir(), 'docket-whatif-threads-'));
const path = join(dir, 'docket.db');

const ada: Actor = { role: 'customer-admin', tenant: 'contoso', id: 'ada' };
const fay: Actor = { role: 'customer-admin', tenant: 'fabrikam', id: 'fay' };
const li: Actor = { role: 'agent', id: 'li' };
const open = (severity: string) => ({
  line: 'technical',
  severity,
  category: 'sso',
  title: 'Sign-in fails',
  contact: { name: 'Ada', email: 'ada@contoso.example', phone: '+86 10 5550 0100' },
  ...(severity === 'A' && { businessImpact: 'Nobody can sign in.' }),
});

/** Slower B (one business day → two) and no A on 21vianet technical. */
const candidate = candidatePolicy('threads-slower-b-no-a', (doc) => {
  const technical = doc.offerings['21vianet']!.lines.technical!;
  technical.severities.B!.responseTarget = { businessDays: 2 };
  delete technical.severities.A;
  technical.maxSeverity = 'B';
});

beforeAll(async () => {
  const store = new SqliteEventStore({ path });
  const w = await RecordingWorld.start(store, '2026-11-23T09:00:00+08:00', defaultPolicy, [
    contosoTenant,
    fabrikamTenant,
  ]);
  const run = async (at: string, actor: Actor, command: string, id: string, input: unknown) => {
    const refused = await w.at(at, actor, command as 'open', id, input);
    if (refused !== undefined) throw refused;
  };
  // Twelve cases six hours apart: B, A (opens at B under the candidate),
  // B raised to A (refused), C.
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let i = 0; i < 12; i++) {
    const at = Date.parse('2026-11-23T02:00:00Z') + i * 6 * 3_600_000;
    const id = `c${String(i).padStart(2, '0')}`;
    const kind = i % 4;
    if (kind === 0) await run(iso(at), ada, 'open', id, open('B'));
    else if (kind === 1) await run(iso(at), ada, 'open', id, open('A'));
    else if (kind === 2) {
      await run(iso(at), ada, 'open', id, open('B'));
      await run(iso(at + 600_000), li, 'changeSeverity', id, {
        severity: 'A',
        reason: 'Everyone is blocked.',
      });
    } else await run(iso(at), fay, 'open', id, open('C'));
    await run(iso(at + 1_800_000), li, 'addNote', id, { text: 'Looking.' });
  }
  await w.until('2026-12-10T00:00:00+08:00');
  // The B cases answered, weeks late.
  for (let day = 0; day < 12; day += 4)
    await run('2026-12-10T00:00:00+08:00', li, 'respond', `c${String(day).padStart(2, '0')}`, {
      message: 'Sorry for the wait.',
    });
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The report as the CLI makes it with `threads` (1: in this thread), as JSON text. */
const whatif = async (threads: number, policy: Policy | 'recorded') => {
  const raw = new SqliteEventStore({ path });
  const store = withUpcasting(raw, new UpcasterRegistry(caseEventUpcasters));
  try {
    const replayPolicy =
      policy === 'recorded'
        ? ({ kind: 'recorded', byVersion: await recordedPolicies(store) } as const)
        : ({ kind: 'candidate', policy } as const);
    const splits = raw.streamIdSplits(threads, CASE_STREAMS);
    const replayer =
      threads === 1
        ? undefined
        : whatifInThreads(
            path,
            splits,
            policy === 'recorded' ? { kind: 'recorded' } : { kind: 'candidate', policy },
            {},
          );
    const progress: number[] = [];
    const report = await runWhatif(store, {
      policy: replayPolicy,
      replayer,
      onProgress: (p) => void progress.push(p.casesReplayed),
    });
    return { json: JSON.stringify(report, null, 2), report, splits, progress };
  } finally {
    await raw.close();
  }
};

describe('policy what-if in threads', () => {
  it('1, 2 and 3 threads give byte-identical reports, with changes and refusals in several ranges', async () => {
    const one = await whatif(1, candidate);
    // One of each in every third of the streams: three threads each have some.
    expect(one.report.changed.map((c) => c.caseId)).toEqual(['c01', 'c05', 'c09']);
    expect(one.report.refused.commands.map((c) => c.caseId)).toEqual(['c02', 'c06', 'c10']);
    for (const threads of [2, 3]) {
      const { json, splits, progress } = await whatif(threads, candidate);
      expect(splits).toHaveLength(threads - 1);
      expect(json).toBe(one.json);
      expect(progress.at(-1)).toBe(12);
    }
  });

  it('under the recorded policies, threads reproduce the log as one thread does', async () => {
    const one = await whatif(1, 'recorded');
    expect(one.report.changed).toEqual([]);
    expect(one.report.overall.before.cases).toBe(12);
    expect((await whatif(2, 'recorded')).json).toBe(one.json);
  });

  it('a thread that fails fails the run, with its message', async () => {
    const raw = new SqliteEventStore({ path });
    const store = withUpcasting(raw, new UpcasterRegistry(caseEventUpcasters));
    try {
      const replayer = whatifInThreads(
        join(dir, 'missing', 'docket.db'),
        ['case-c06'],
        {
          kind: 'candidate',
          policy: candidate,
        },
        {},
      );
      await expect(
        runWhatif(store, { policy: { kind: 'candidate', policy: candidate }, replayer }),
      ).rejects.toThrow(/docket\.db|directory/);
    } finally {
      await raw.close();
    }
  });
});
