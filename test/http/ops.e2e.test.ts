import { afterEach, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections/allProjections.js';
import { PrometheusMetrics } from '../../src/adapters/prometheusMetrics.js';
import { projectionLagReader } from '../../src/application/projectionLag.js';
import { Readiness, type CheckResult } from '../../src/application/readiness.js';
import { calendarHorizonCheck, eventStoreCheck } from '../../src/application/readinessChecks.js';
import { timerDispatcher } from '../../src/application/timerDispatcher.js';
import { buildOpsApp } from '../../src/http/buildOpsApp.js';
import { httpFixture, openBody, type HttpFixture } from '../specs/httpSpec.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/** The sample lines of `name` (no HELP or TYPE). */
const samples = (text: string, name: string) =>
  text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

let f: HttpFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const withOps = async (options: { readiness?: Readiness; readModels?: boolean } = {}) => {
  const metrics = new PrometheusMetrics();
  const readiness = options.readiness ?? new Readiness();
  f = await httpFixture({
    commandObserver: metrics,
    app: { readiness, metrics },
    readModels: options.readModels ?? false,
  });
  return { f, metrics, readiness };
};

describe('GET /health, /ready, /metrics', () => {
  it('/health: liveness, without a token', async () => {
    const { f } = await withOps();
    const res = await f.request(undefined, { method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/ready: 200 with every check when all are ready', async () => {
    const { f, readiness } = await withOps();
    readiness
      .register('store', eventStoreCheck(f.services.store))
      .register('calendar-horizon', calendarHorizonCheck(f.services.policies, f.clock));
    const res = await f.request(undefined, { method: 'GET', url: '/ready' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<{ status: string; checks: Array<{ name: string; ready: boolean }> }>();
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => [c.name, c.ready])).toEqual([
      ['store', true],
      ['calendar-horizon', true],
    ]);
  });

  it('/ready: 503 not-ready naming each failing check and its reason, with Retry-After', async () => {
    const readiness = new Readiness()
      .register('store', () => Promise.resolve({ ready: true }))
      .register('redis', () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6390')))
      .register('scheduler', () => new Promise<CheckResult>(() => undefined), { timeoutMs: 20 });
    const { f } = await withOps({ readiness });
    const res = await f.request(undefined, { method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({
      type: 'urn:docket:problem:not-ready',
      status: 503,
      code: 'not-ready',
      detail:
        'not ready: redis: connect ECONNREFUSED 127.0.0.1:6390; scheduler: no answer within 20 ms',
      instance: '/ready',
      checks: [
        { name: 'store', ready: true },
        { name: 'redis', ready: false, reason: 'connect ECONNREFUSED 127.0.0.1:6390' },
        { name: 'scheduler', ready: false, reason: 'no answer within 20 ms' },
      ],
    });
  });

  it('/metrics: commands by command and outcome, with their latency; never a tenant or a case id', async () => {
    const { f } = await withOps();
    const id = await f.open();
    const refused = await f.request('ada', {
      method: 'POST',
      url: `/cases/${id}/customerReply`,
      payload: { message: 'nothing was asked' },
    });
    expect(refused.statusCode).toBe(409);
    const res = await f.request(undefined, { method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(samples(res.body, 'docket_commands_total')).toEqual([
      'docket_commands_total{command="open",outcome="ok"} 1',
      'docket_commands_total{command="customerReply",outcome="refused"} 1',
    ]);
    expect(samples(res.body, 'docket_command_duration_seconds_count')).toEqual([
      'docket_command_duration_seconds_count{command="open",outcome="ok"} 1',
      'docket_command_duration_seconds_count{command="customerReply",outcome="refused"} 1',
    ]);
    expect(res.body).toContain('docket_process_resident_memory_bytes');
    for (const secret of [id, 'contoso', 'fabrikam', 'ada', openBody.title])
      expect(res.body).not.toContain(secret);
  });

  it('/metrics: a breach recorded by a timer counts by offering, line and severity, with its lateness', async () => {
    const { f, metrics } = await withOps();
    const id = await f.open();
    const fire = timerDispatcher(f.services.commands, f.clock, undefined, metrics);
    // Opened Monday 10:00 Beijing, technical B: due Tuesday 10:00 (caseLifecycle.e2e.test.ts).
    const dueAt = Date.parse('2026-11-24T02:00:00.000Z');
    f.clock.advanceTo(dueAt + 2_000);
    await fire({ caseId: id, kind: 'response-deadline', dueAt, revision: 0 });
    const text = (await f.request(undefined, { method: 'GET', url: '/metrics' })).body;
    expect(samples(text, 'docket_sla_breaches_total')).toEqual([
      'docket_sla_breaches_total{target="response",offering="21vianet",line="technical",severity="B"} 1',
    ]);
    expect(samples(text, 'docket_timer_lateness_seconds_count')).toEqual([
      'docket_timer_lateness_seconds_count{kind="response-deadline"} 1',
    ]);
    expect(samples(text, 'docket_timer_lateness_seconds_sum')).toEqual([
      'docket_timer_lateness_seconds_sum{kind="response-deadline"} 2',
    ]);
    expect(text).not.toContain(id);
  });

  it('/metrics: projection lag from the read models, collected at scrape time', async () => {
    const { f, metrics } = await withOps({ readModels: true });
    metrics.collectProjectionLag(
      projectionLagReader(f.readModels!, allProjections, f.services.store, f.clock),
    );
    await f.open();
    await f.projected();
    const text = (await f.request(undefined, { method: 'GET', url: '/metrics' })).body;
    expect(samples(text, 'docket_projection_lag_events')).toEqual(
      allProjections.map((p) => `docket_projection_lag_events{projection="${p.name}"} 0`),
    );
    expect(samples(text, 'docket_projection_lag_seconds')).toHaveLength(allProjections.length);
  });

  it('are public and out of the OpenAPI document', async () => {
    const { f } = await withOps();
    for (const url of ['/health', '/ready', '/metrics'])
      expect((await f.request(undefined, { method: 'GET', url })).statusCode, url).toBe(200);
    const paths = Object.keys(
      (await f.request(undefined, { method: 'GET', url: '/openapi.json' })).json<{
        paths: object;
      }>().paths,
    );
    expect(paths.filter((p) => ['/health', '/ready', '/metrics'].includes(p))).toEqual([]);
  });
});

describe('request ids', () => {
  it('honours X-Request-Id: echoed, in the log lines and the correlation id of the events', async () => {
    const lines: string[] = [];
    f = await httpFixture({ log: (line) => lines.push(line), app: { accessLog: true } });
    const res = await f.request('ada', {
      method: 'POST',
      url: '/cases',
      payload: openBody,
      headers: { 'x-request-id': 'req-42.abc' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-request-id']).toBe('req-42.abc');
    const events = await f.allEvents();
    expect(events.at(-1)?.metadata.correlationId).toBe('req-42.abc');
    const logged = lines.map((l) => JSON.parse(l) as { reqId?: string; msg: string });
    expect(logged.filter((l) => l.reqId === 'req-42.abc').map((l) => l.msg)).toEqual([
      'incoming request',
      'request completed',
    ]);
  });

  it('takes the trace id of a valid traceparent, and echoes the traceparent', async () => {
    f = await httpFixture();
    const res = await f.request(undefined, {
      method: 'GET',
      url: '/health',
      headers: { traceparent: TRACEPARENT },
    });
    expect(res.headers['x-request-id']).toBe(TRACE_ID);
    expect(res.headers.traceparent).toBe(TRACEPARENT);
    // X-Request-Id wins over the traceparent.
    const both = await f.request(undefined, {
      method: 'GET',
      url: '/health',
      headers: { traceparent: TRACEPARENT, 'x-request-id': 'mine' },
    });
    expect(both.headers['x-request-id']).toBe('mine');
  });

  it('makes a UUID for a missing or invalid id, and echoes no invalid traceparent', async () => {
    f = await httpFixture();
    const invalid = [
      {},
      { 'x-request-id': 'has space' },
      { 'x-request-id': 'x'.repeat(201) },
      { 'x-request-id': 'naïve' },
      { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` },
      { traceparent: `ff-${TRACE_ID}-00f067aa0ba902b7-01` },
      { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01-extra` },
      { traceparent: `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01` },
    ];
    const seen = new Set<string>();
    for (const headers of invalid) {
      const res = await f.request(undefined, { method: 'GET', url: '/health', headers });
      const id = String(res.headers['x-request-id']);
      expect(id, JSON.stringify(headers)).toMatch(UUID);
      expect(res.headers.traceparent, JSON.stringify(headers)).toBeUndefined();
      seen.add(id);
    }
    expect(seen.size).toBe(invalid.length);
    const longest = 'x'.repeat(200);
    const kept = await f.request(undefined, {
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': longest },
    });
    expect(kept.headers['x-request-id']).toBe(longest);
  });

  it('is on every answer: refusals, unknown routes and malformed URLs included', async () => {
    f = await httpFixture();
    const headers = { 'x-request-id': 'r-1' };
    const unauthenticated = await f.request(undefined, { method: 'GET', url: '/cases/x', headers });
    expect(unauthenticated.statusCode).toBe(401);
    const missing = await f.request('ada', { method: 'GET', url: '/nowhere', headers });
    expect(missing.statusCode).toBe(404);
    const malformed = await f.request('ada', { method: 'GET', url: '/cases/%E0%A4%A', headers });
    expect(malformed.statusCode).toBe(400);
    for (const res of [unauthenticated, missing, malformed])
      expect(res.headers['x-request-id']).toBe('r-1');
  });
});

describe('access logs', () => {
  it('are off by default', async () => {
    const lines: string[] = [];
    f = await httpFixture({ log: (line) => lines.push(line) });
    await f.open();
    expect(lines.filter((l) => l.includes('incoming request'))).toEqual([]);
  });

  it('with accessLog, log every request but the probes and the scrapes', async () => {
    const lines: string[] = [];
    f = await httpFixture({ log: (line) => lines.push(line), app: { accessLog: true } });
    for (const url of ['/health', '/ready', '/openapi.json'])
      await f.request(undefined, { method: 'GET', url });
    const urls = lines
      .map((l) => JSON.parse(l) as { msg: string; req?: { url: string } })
      .filter((l) => l.msg === 'incoming request')
      .map((l) => l.req?.url);
    expect(urls).toEqual(['/openapi.json']);
  });
});

describe('buildOpsApp: the operations routes alone', () => {
  it('serves /health, /ready and /metrics, with request ids and problem documents', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    metrics.onFired({ caseId: 'c1', kind: 'auto-close', dueAt: 0, revision: 3 }, 250);
    const readiness = new Readiness().register('scheduler', () =>
      Promise.resolve({ ready: false, reason: 'not the leader yet' }),
    );
    const app = await buildOpsApp({ readiness, metrics });
    try {
      const health = await app.inject({ url: '/health', headers: { 'x-request-id': 'probe-1' } });
      expect([health.statusCode, health.json(), health.headers['x-request-id']]).toEqual([
        200,
        { status: 'ok' },
        'probe-1',
      ]);
      const ready = await app.inject({ url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ detail: 'not ready: scheduler: not the leader yet' });
      const scraped = await app.inject({ url: '/metrics' });
      expect(samples(scraped.body, 'docket_timer_lateness_seconds_count')).toEqual([
        'docket_timer_lateness_seconds_count{kind="auto-close"} 1',
      ]);
      const missing = await app.inject({ url: '/cases' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ code: 'not-found' });
      expect(missing.headers['x-request-id']).toMatch(UUID);
    } finally {
      await app.close();
    }
  });
});
