import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { runWhatif } from '../../src/application/whatif/runWhatif.js';
import type { WhatifJobView } from '../../src/application/whatif/whatifJobs.js';
import type { Actor } from '../../src/domain/actor.js';
import { defaultPolicy, defaultPolicyDocument } from '../../src/domain/policy/defaultPolicy.js';
import { candidatePolicy } from '../specs/candidatePolicy.js';
import { httpFixture, type HttpFixture } from '../specs/httpSpec.js';
import { RecordingWorld } from '../specs/recordingWorld.js';
import { contosoTenant, fabrikamTenant } from '../specs/servicesSpec.js';

/** `POST /policy/whatif` and `GET /policy/whatif/{job}` over a log recorded by the services. */
let f: HttpFixture;
const ada: Actor = { role: 'customer-admin', tenant: 'contoso', id: 'ada' };
const li: Actor = { role: 'agent', id: 'li' };
const openInput = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 'Sign-in fails',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};
const candidateDoc = structuredClone(defaultPolicyDocument);
candidateDoc.version = 'http-candidate';
candidateDoc.offerings['21vianet']!.lines.technical!.severities.B!.responseTarget = {
  businessDays: 2,
};

beforeAll(async () => {
  const store = new MemoryEventStore();
  const w = await RecordingWorld.start(store, '2026-11-01T00:00:00Z', defaultPolicy, [
    contosoTenant,
    fabrikamTenant,
  ]);
  for (const [at, actor, command, id, input] of [
    ['2026-11-02T10:00:00+08:00', ada, 'open', 'late', openInput],
    ['2026-11-02T11:00:00+08:00', ada, 'open', 'quick', openInput],
    ['2026-11-02T11:10:00+08:00', li, 'respond', 'quick', { message: 'On it.' }],
    ['2026-11-03T15:00:00+08:00', li, 'respond', 'late', { message: 'Sorry.' }],
  ] as const) {
    const refused = await w.at(at, actor, command, id, input);
    if (refused !== undefined) throw refused;
  }
  f = await httpFixture({ store });
});
afterAll(() => f.close());

const start = (body: object, who: 'root' | 'li' = 'root') =>
  f.request(who, { method: 'POST', url: '/policy/whatif', payload: body });

/** Polls the job until it has finished, letting the server's run go on in between. */
const finished = async (job: string): Promise<WhatifJobView> => {
  for (let i = 0; i < 10_000; i++) {
    const res = await f.request('root', { method: 'GET', url: `/policy/whatif/${job}` });
    expect(res.statusCode).toBe(200);
    const view = res.json<WhatifJobView>();
    if (view.finishedAt !== null) return view;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`job ${job} did not finish`);
};

describe('POST /policy/whatif', () => {
  it('answers at once with a job, whose report is the one the CLI prints', async () => {
    const res = await start({ policy: candidateDoc, from: '2026-11-01', to: '2026-12-01' });
    expect(res.statusCode).toBe(202);
    const job = res.json<WhatifJobView>();
    expect(job).toMatchObject({ state: 'queued', report: null, finishedAt: null });
    const done = await finished(job.job);
    expect(done.state).toBe('done');
    expect(done.progress.casesReplayed).toBe(2);
    const events = await f.allEvents();
    expect(done.progress.totalEvents).toBe(events.length);
    expect(done.progress.eventsRead).toBe(
      events.filter((e) => e.streamId.startsWith('case-')).length,
    );
    const direct = await runWhatif(f.services.store, {
      policy: {
        kind: 'candidate',
        policy: candidatePolicy('http-candidate', (doc) => {
          doc.offerings['21vianet']!.lines.technical!.severities.B!.responseTarget = {
            businessDays: 2,
          };
        }),
      },
      from: Date.parse('2026-11-01T00:00:00Z'),
      to: Date.parse('2026-12-01T00:00:00Z'),
    });
    expect(JSON.stringify(done.report)).toBe(JSON.stringify(direct));
    expect(done.report?.changed.map((c) => c.caseId)).toEqual(['late']);
  });

  it('with `recorded`, reproduces the log', async () => {
    const done = await finished((await start({ policy: 'recorded' })).json<WhatifJobView>().job);
    expect(done.state).toBe('done');
    expect(done.report?.changed).toEqual([]);
    expect(done.report?.refused.count).toBe(0);
    expect(done.report?.policy).toBe('recorded');
  });

  it('is for admins only (403 for an agent)', async () => {
    const res = await start({ policy: 'recorded' }, 'li');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden' });
    const get = await f.request('li', {
      method: 'GET',
      url: '/policy/whatif/00000000-0000-4000-8000-000000000000',
    });
    expect(get.statusCode).toBe(403);
  });

  it('refuses an invalid candidate policy, naming the failing field', async () => {
    const res = await start({ policy: { ...defaultPolicyDocument, autoClose: { days: -1 } } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json<{ code: string; errors: Array<{ path: string }> }>();
    expect(problem.code).toBe('validation');
    expect(problem.errors.map((e) => e.path)).toContain('body.policy.autoClose.days');
  });

  it.each([
    [{ policy: 'recorded', from: '2026-13-01' }, 'body.from'],
    [{ policy: 'recorded', to: 'yesterday' }, 'body.to'],
    [{ policy: 'recorded', from: '2026-12-01', to: '2026-11-01' }, 'body.from'],
    [{ policy: 'recorded', unknown: 1 }, 'body'],
    [{ policy: 'candidate.json' }, 'body.policy'],
  ])('refuses %j (400, %s)', async (body, path) => {
    const res = await start(body);
    expect(res.statusCode).toBe(400);
    const problem = res.json<{ code: string; errors: Array<{ path: string }> }>();
    expect(problem.code).toBe('validation');
    expect(problem.errors.map((e) => e.path).some((p) => p.startsWith(path))).toBe(true);
  });
});

describe('GET /policy/whatif/{job}', () => {
  it('404 for a job this process does not know, 400 for what is not a job id', async () => {
    const unknown = await f.request('root', {
      method: 'GET',
      url: '/policy/whatif/00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'not-found' });
    const bad = await f.request('root', { method: 'GET', url: '/policy/whatif/nope' });
    expect(bad.statusCode).toBe(400);
  });
});
