import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseList } from '../../projections/caseList.js';
import { caseQueue } from '../../projections/caseQueue.js';
import { slaCompliance } from '../../projections/slaCompliance.js';
import { httpFixture, openBody, type HttpFixture, type Person } from '../specs/httpSpec.js';

interface QueueBody {
  queue: string;
  items: Array<{
    id: string;
    tenant: string;
    breached: boolean;
    waitingOn: string;
    state: string;
  }>;
}

describe('queues and the SLA report over HTTP (read models)', () => {
  let f: HttpFixture;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    f = await httpFixture({ readModels: true });
    ids.a = await f.open();
    ids.b = await f.open({ ...openBody, severity: 'C', title: 'later' });
    const bo = await f.request('bo', { method: 'POST', url: '/cases', payload: openBody });
    ids.fab = bo.json<{ case: { id: string } }>().case.id;
    await f.request('li', {
      method: 'POST',
      url: `/cases/${ids.b}/requestInfo`,
      payload: { message: 'logs?' },
    });
    await f.request('li', {
      method: 'POST',
      url: `/cases/${ids.a}/respond`,
      payload: { message: 'on it' },
    });
    await f.projected();
  });
  afterAll(() => f.close());

  const get = (who: Person, url: string, headers: Record<string, string> = {}) =>
    f.request(who, { method: 'GET', url, headers });

  it('the agent queue: cases waiting on an agent, by due instant; agents see every tenant', async () => {
    const res = await get('li', '/queues/agent');
    expect(res.statusCode).toBe(200);
    const body = res.json<QueueBody>();
    expect(body.items.map((i) => i.id).sort()).toEqual([ids.a, ids.fab].sort());
    expect(body.items.every((i) => i.waitingOn === 'agent')).toBe(true);
    const waiting = (await get('li', '/queues/awaiting-customer')).json<QueueBody>();
    expect(waiting.items.map((i) => i.id)).toEqual([ids.b]);
  });

  it('customers see only their tenant, whatever they filter on; admins get 403', async () => {
    const own = (await get('ada', '/queues/agent?tenant=fabrikam')).json<QueueBody>();
    expect(own.items.map((i) => i.tenant)).toEqual(['contoso']);
    const other = (await get('bo', '/queues/agent')).json<QueueBody>();
    expect(other.items.map((i) => i.id)).toEqual([ids.fab]);
    expect((await get('root', '/queues/agent')).statusCode).toBe(403);
    // The role is refused before the input is read.
    expect((await get('root', '/queues/agent?colour=red')).statusCode).toBe(403);
    expect((await get('ada', '/reports/sla?from=yesterday')).statusCode).toBe(403);
  });

  it('filters and pages', async () => {
    const c = (
      await get('li', '/queues/awaiting-customer?severity=C&line=technical')
    ).json<QueueBody>();
    expect(c.items).toHaveLength(1);
    const none = (await get('li', '/queues/agent?severity=A')).json<QueueBody>();
    expect(none.items).toEqual([]);
    const page = (await get('li', '/queues/agent?limit=1&offset=1')).json<QueueBody>();
    expect(page.items).toHaveLength(1);
    for (const bad of [
      '/queues/nope',
      '/queues/agent?limit=0',
      '/queues/agent?limit=201',
      '/queues/agent?colour=red',
    ]) {
      const res = await get('li', bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation' });
    }
  });

  it('the SLA report as JSON and as CSV; bad ranges are 400; customers and admins 403', async () => {
    const json = await get('rex', '/reports/sla?from=2026-11-01&to=2026-11-30');
    expect(json.statusCode).toBe(200);
    const rows = json.json<{
      rows: Array<{ offering: string; severity: string; opened: number; firstResponses: number }>;
    }>().rows;
    expect(rows).toEqual([
      expect.objectContaining({
        offering: '21vianet',
        severity: 'B',
        opened: 2,
        firstResponses: 1,
      }),
      expect.objectContaining({
        offering: '21vianet',
        severity: 'C',
        opened: 1,
        firstResponses: 1,
      }),
    ]);
    const csv = await get('audrey', '/reports/sla?from=2026-11-01&to=2026-11-30', {
      accept: 'text/csv',
    });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^day,offering,line,severity,opened,/);
    expect(lines).toHaveLength(3);
    expect((await get('li', '/reports/sla?from=2026-11-30&to=2026-11-01')).statusCode).toBe(400);
    expect((await get('li', '/reports/sla?from=yesterday&to=2026-11-01')).statusCode).toBe(400);
    expect((await get('ada', '/reports/sla?from=2026-11-01&to=2026-11-30')).statusCode).toBe(403);
    expect((await get('root', '/reports/sla?from=2026-11-01&to=2026-11-30')).statusCode).toBe(403);
  });

  const head = async () => Number((await f.allEvents()).at(-1)!.position);

  it('queues and the report answer with their position: the log position applied, and whether a rebuild runs', async () => {
    const position = String(await head());
    for (const [who, url, accept] of [
      ['li', '/queues/agent', 'application/json'],
      ['ada', '/queues/awaiting-customer?tenant=fabrikam', 'application/json'],
      ['rex', '/reports/sla?from=2026-11-01&to=2026-11-30', 'application/json'],
      ['audrey', '/reports/sla?from=2026-11-01&to=2026-11-30', 'text/csv'],
    ] as const) {
      const res = await get(who, url, { accept });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['docket-read-model-position'], url).toBe(position);
      expect(res.headers['docket-read-model-rebuilding'], url).toBe('false');
    }
    // Refusals say nothing about the read models.
    const refused = await get('root', '/queues/agent');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['docket-read-model-position']).toBeUndefined();
  });

  it('GET /projections: each projection’s version, position, the log head, lag and rebuild; not for customers', async () => {
    const at = await head();
    for (const who of ['li', 'audrey', 'rex', 'root'] as const) {
      const res = await get(who, '/projections');
      expect(res.statusCode, who).toBe(200);
      expect(res.json(), who).toEqual({
        projections: [
          {
            name: 'case-queue',
            version: caseQueue.version,
            position: at,
            head: at,
            lag: 0,
            rebuilding: false,
            updatedAt: '2026-11-23T02:00:00.000Z',
          },
          {
            name: 'sla-compliance',
            version: slaCompliance.version,
            position: at,
            head: at,
            lag: 0,
            rebuilding: false,
            updatedAt: '2026-11-23T02:00:00.000Z',
          },
          {
            name: 'case-list',
            version: caseList.version,
            position: at,
            head: at,
            lag: 0,
            rebuilding: false,
            updatedAt: '2026-11-23T02:00:00.000Z',
          },
        ],
      });
    }
    for (const who of ['ada', 'cy', 'bo'] as const) {
      const res = await get(who, '/projections');
      expect(res.statusCode, who).toBe(403);
      expect(res.json(), who).toMatchObject({ code: 'forbidden' });
    }
  });
});
