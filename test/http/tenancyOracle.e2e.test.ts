import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCaseCommands } from '../../src/http/httpCaseCommands.js';
import { httpFixture, openBody, people, type HttpFixture, type Person } from '../specs/httpSpec.js';

/**
 * The tenancy oracle: for every route the API serves (read from its OpenAPI document, so a new
 * route cannot be forgotten), every caller, with and without an `Idempotency-Key`, with a valid
 * and an invalid body — a resource the caller may not see answers exactly as one that does not
 * exist (status, media type, header names, body, but for the id echoed back), and nothing a
 * Fabrikam caller receives carries Contoso's data. Exhaustive over these dimensions, not sampled.
 */

type Target = 'case' | 'tenant' | 'token' | 'webhook' | 'none';
interface RouteProbe {
  readonly target: Target;
  /** A body the route accepts from someone it serves. */
  readonly body?: object;
  /** A query naming the other tenant where the route takes one. */
  readonly query?: (otherTenant: string) => string;
}

const commandBodies: Record<(typeof httpCaseCommands)[number], object> = {
  assign: { agent: 'mei' },
  respond: { message: 'on it' },
  requestInfo: { message: 'logs?' },
  customerReply: { message: 'attached' },
  changeSeverity: { severity: 'C', reason: 'one user' },
  addNote: { text: 'internal' },
  resolve: { reason: 'fixed', summary: 'done' },
  withdraw: { reason: 'not needed' },
  reopen: { reason: 'again' },
  submitSurvey: { rating: 4 },
};

/** Every route of the API, keyed as `METHOD /path/{param}` as OpenAPI names it. */
const probes: Record<string, RouteProbe> = {
  'POST /cases': {
    target: 'none',
    body: { ...openBody, contact: { name: 'Someone', email: 'someone@example.com' } },
  },
  ...Object.fromEntries(
    httpCaseCommands.map((c) => [
      `POST /cases/{id}/${c}`,
      { target: 'case', body: commandBodies[c] } satisfies RouteProbe,
    ]),
  ),
  'GET /cases': { target: 'none', query: (other) => `?tenant=${other}&state=opened,responded` },
  // The whole log so far, then the end (a feed that follows never ends).
  'GET /feed': { target: 'none', query: () => '?after=0&follow=false' },
  'GET /cases/{id}': { target: 'case' },
  'GET /cases/{id}/history': { target: 'case' },
  'GET /cases/{id}/events': { target: 'case' },
  'GET /cases/{id}/verify': { target: 'case' },
  'GET /machine': { target: 'none' },
  'GET /me': { target: 'none' },
  'GET /offerings': { target: 'none' },
  'GET /policy': { target: 'none' },
  'GET /calendars': { target: 'none' },
  'GET /offerings/{id}/lines': { target: 'none' },
  'GET /tenants': { target: 'none' },
  'POST /tenants': {
    target: 'none',
    body: { id: 'newco', offering: '21vianet', advancedAgreement: false },
  },
  'GET /tenants/{id}': { target: 'tenant' },
  'PATCH /tenants/{id}': { target: 'tenant', body: { advancedAgreement: true } },
  'GET /tokens': { target: 'none' },
  'POST /tokens': { target: 'none', body: { role: 'agent', name: 'temp' } },
  'DELETE /tokens/{id}': { target: 'token' },
  'GET /queues/{name}': { target: 'none', query: (other) => `?tenant=${other}` },
  'GET /reports/sla': { target: 'none', query: () => '?from=2026-11-01&to=2026-11-30' },
  'GET /projections': { target: 'none' },
  'POST /policy/whatif': { target: 'none', body: { policy: 'recorded' } },
  'GET /policy/whatif/{job}': { target: 'none' },
  'POST /webhooks': {
    target: 'none',
    body: { url: 'https://hooks.example.com/docket', events: ['CaseOpened'] },
  },
  'GET /webhooks': { target: 'none' },
  'GET /webhooks/{id}': { target: 'webhook' },
  'POST /webhooks/{id}/disable': { target: 'webhook' },
  'POST /webhooks/{id}/enable': { target: 'webhook' },
  'GET /webhooks/{id}/deliveries': { target: 'webhook' },
  'POST /webhooks/{id}/deliveries/{deliveryId}/redeliver': { target: 'webhook' },
  'DELETE /webhooks/{id}': { target: 'webhook' },
  'GET /mail/deliveries': { target: 'none' },
  'POST /mail/deliveries/{deliveryId}/redeliver': { target: 'none' },
};

/** Where a route's second path parameter points (the first is the target). */
const secondParams: Record<string, string> = {
  'POST /webhooks/{id}/deliveries/{deliveryId}/redeliver': 'msg_AAAAAAAAAAAAAAAAAAAAAAAAAA',
};

/** Where a target-less route's path parameter points. */
const fixedParams: Record<string, string> = {
  'GET /offerings/{id}/lines': '21vianet',
  'GET /queues/{name}': 'agent',
  'GET /policy/whatif/{job}': '00000000-0000-4000-8000-000000000000',
  'POST /mail/deliveries/{deliveryId}/redeliver': 'msg_AAAAAAAAAAAAAAAAAAAAAAAAAA',
};

const MISSING: Record<Exclude<Target, 'none'>, string> = {
  case: 'c0000000000000000000f',
  tenant: 'nosuchtenant',
  token: '6c2d1a4e-0d0c-4f55-9d3e-3f1f3c1b2a10',
  webhook: '0b7e5a52-3c1d-4e8f-9a6b-2d4c6e8f0a1b',
};

const tenants = ['contoso', 'fabrikam'] as const;
type TenantId = (typeof tenants)[number];

describe('tenancy oracle: every route × every caller × {own, other tenant’s, missing}', () => {
  let f: HttpFixture;
  /** Each caller's token, and its tenant if it has one. */
  const callers: Record<string, { token: string; tenant?: TenantId }> = {};
  const cases = {} as Record<TenantId, string>;
  /** Each tenant's webhook endpoint, registered by its admin. */
  const webhooks = {} as Record<TenantId, string>;
  /** A token that only the admin's DELETE touches. */
  let victimTokenId: string;
  /** Strings that only each tenant's data contains. */
  const marks = {} as Record<TenantId, string[]>;

  beforeAll(async () => {
    f = await httpFixture({ readModels: true });
    const root = { role: 'admin', id: 'root' } as const;
    for (const [who, token] of Object.entries(f.tokens)) {
      const tenant = (people[who as Person] as { tenant?: TenantId }).tenant;
      callers[who] = { token, ...(tenant === undefined ? {} : { tenant }) };
    }
    // Fabrikam tokens named like Contoso's people: names never decide who someone is.
    for (const [name, role] of [
      ['ada', 'customer-admin'],
      ['cy', 'customer-user'],
    ] as const) {
      const issued = await f.services.tokens.issue(root, { role, tenant: 'fabrikam', name });
      if (!issued.ok) throw issued.error;
      callers[`fabrikam-${name}`] = { token: issued.value.token, tenant: 'fabrikam' };
    }
    const victim = await f.services.tokens.issue(root, {
      role: 'customer-user',
      tenant: 'contoso',
      name: 'victim',
    });
    if (!victim.ok) throw victim.error;
    victimTokenId = victim.value.info.tokenId;

    const details = {
      contoso: {
        title: 'Payroll mailbox of Contoso is gone',
        contact: { name: 'Ada Lovelace-Contoso', email: 'ada.private@contoso.example' },
        admin: 'ada' as Person,
      },
      fabrikam: {
        title: 'Fabrikam warehouse cannot sign in',
        contact: { name: 'Bo Fabrikam-Person', email: 'bo.private@fabrikam.example' },
        admin: 'bo' as Person,
      },
    };
    for (const tenant of tenants) {
      const { title, contact, admin } = details[tenant];
      const res = await f.request(admin, {
        method: 'POST',
        url: '/cases',
        payload: { ...openBody, title, contact },
      });
      cases[tenant] = res.json<{ case: { id: string } }>().case.id;
      marks[tenant] = [tenant, title, contact.name, contact.email];
      const hook = await f.request(admin, {
        method: 'POST',
        url: '/webhooks',
        payload: { url: `https://hooks.${tenant}.example/docket`, events: ['CaseOpened'] },
      });
      webhooks[tenant] = hook.json<{ id: string }>().id;
      marks[tenant].push(`hooks.${tenant}.example`);
      // Their people use the key every caller will try, on their own case.
      for (const command of httpCaseCommands) {
        const customerCommand = ['customerReply', 'withdraw', 'reopen', 'submitSurvey'];
        await f.request(customerCommand.includes(command) ? admin : 'li', {
          method: 'POST',
          url: `/cases/${cases[tenant]}/${command}`,
          payload: commandBodies[command],
          headers: { 'idempotency-key': 'shared-key' },
        });
      }
    }
    await f.projected();
  });
  afterAll(() => f.close());

  const routes = async () => {
    await f.app.ready();
    const doc = f.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    return Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
  };

  const urlOf = (route: string, id: string | undefined, otherTenant: string) => {
    const pattern = route.split(' ')[1]!;
    const path = pattern
      .replace(/\{\w+\}/, id ?? fixedParams[route] ?? '')
      .replace(/\{\w+\}/, secondParams[route] ?? '');
    return path + (probes[route]!.query?.(otherTenant) ?? '');
  };

  const send = (
    caller: string,
    route: string,
    url: string,
    options: { key: boolean; body: 'valid' | 'invalid' | 'none'; head: boolean },
  ) => {
    const method = route.split(' ')[0] as 'GET';
    const payload =
      options.body === 'none'
        ? undefined
        : options.body === 'valid'
          ? probes[route]!.body
          : { bogus: 1 };
    return f.app.inject({
      method: options.head ? 'HEAD' : method,
      url,
      headers: {
        authorization: `Bearer ${callers[caller]!.token}`,
        ...(options.key ? { 'idempotency-key': 'shared-key' } : {}),
      },
      ...(payload === undefined ? {} : { payload }),
    });
  };

  /** A response with the id it was about replaced, and without headers that vary by instant. */
  const normalised = (res: LightMyRequestResponse, id: string) => ({
    status: res.statusCode,
    type: res.headers['content-type'],
    headers: Object.keys(res.headers)
      .filter((h) => !['date', 'content-length', 'connection', 'keep-alive'].includes(h))
      .sort(),
    body: res.body.replaceAll(id, '<id>'),
  });

  /** The caller's own resource and another tenant's (or one the caller has no claim to). */
  const targetsOf = (target: Exclude<Target, 'none'>, mine: TenantId | undefined) => {
    const other: TenantId = mine === 'contoso' ? 'fabrikam' : 'contoso';
    switch (target) {
      case 'case':
        return { own: mine && cases[mine], other: cases[other] };
      case 'tenant':
        return { own: mine, other };
      case 'token':
        return { own: undefined, other: victimTokenId };
      case 'webhook':
        return { own: mine && webhooks[mine], other: webhooks[other] };
    }
  };

  it('covers every route the API serves', async () => {
    const uncovered = (await routes()).filter((r) => probes[r] === undefined);
    expect(uncovered, 'add each new route to the oracle').toEqual([]);
  });

  it('serves the console without a token, and its files hold no tenant’s data', async () => {
    // The console is static files (dist/console, built by `npm run build`), outside the
    // OpenAPI document: every datum it shows comes from the routes above, with a token.
    const index = await f.app.inject({ method: 'GET', url: '/console/' });
    expect(index.statusCode).toBe(200);
    const assets = [...index.body.matchAll(/\/console\/assets\/[\w.-]+/g)].map((m) => m[0]);
    expect(assets.length).toBeGreaterThan(0);
    for (const url of ['/console', '/console/', ...assets]) {
      const res = await f.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(400);
      if (url !== '/console') {
        // Scripts from the console's origin only, API calls to it only, never framed.
        expect(res.headers['content-security-policy'], url).toContain("script-src 'self'");
        expect(res.headers['content-security-policy'], url).toContain("connect-src 'self'");
        expect(res.headers['x-frame-options'], url).toBe('DENY');
      }
      for (const mark of [...marks.contoso, ...marks.fabrikam])
        expect(res.body, `${url} holds ${mark}`).not.toContain(mark);
    }
    const missing = await f.app.inject({ method: 'GET', url: '/console/assets/none.js' });
    expect(missing.json()).toMatchObject({ status: 404, code: 'not-found' });
  });

  it("another tenant's resource answers as a missing one; no tenant receives another's data", async () => {
    let compared = 0;
    let served = 0;
    const failures: string[] = [];
    for (const route of await routes()) {
      const probe = probes[route]!;
      for (const [caller, { tenant }] of Object.entries(callers)) {
        const otherTenant: TenantId = tenant === 'contoso' ? 'fabrikam' : 'contoso';
        const bodies =
          probe.body === undefined ? (['none'] as const) : (['valid', 'invalid'] as const);
        for (const key of [false, true]) {
          for (const body of bodies) {
            for (const head of route.startsWith('GET ') ? [false, true] : [false]) {
              const options = { key, body, head };
              const label = `${caller} ${head ? 'HEAD ' : ''}${route} key=${key} body=${body}`;
              /** Whatever a tenant's caller receives, beyond its own request echoed, is not the other's. */
              const noLeak = (res: LightMyRequestResponse, url: string, id?: string) => {
                if (tenant === undefined) return;
                const text = res.body.replaceAll(url, '').replaceAll(id ?? url, '');
                const found = marks[otherTenant].filter((m) => text.includes(m));
                if (found.length > 0) failures.push(`${label}: ${url} leaks ${found.join(', ')}`);
              };
              if (probe.target === 'none') {
                const url = urlOf(route, undefined, otherTenant);
                const res = await send(caller, route, url, options);
                if (res.statusCode < 300) served++;
                noLeak(res, url);
                continue;
              }
              const { own, other } = targetsOf(probe.target, tenant);
              if (own !== undefined) {
                const url = urlOf(route, own, otherTenant);
                const res = await send(caller, route, url, options);
                if (res.statusCode < 300) served++;
                noLeak(res, url, own);
              }
              const otherUrl = urlOf(route, other, otherTenant);
              const forOther = await send(caller, route, otherUrl, options);
              noLeak(forOther, otherUrl, other);
              if (tenant === undefined && ![401, 403, 404].includes(forOther.statusCode)) {
                // Agents, auditors and admins are bound to no tenant: whatever they may reach,
                // they may know exists. What they may not use must look the same either way.
                continue;
              }
              if (forOther.statusCode < 300) {
                failures.push(`${label}: another tenant's ${probe.target} served`);
                continue;
              }
              const missingId = MISSING[probe.target];
              const forMissing = await send(
                caller,
                route,
                urlOf(route, missingId, otherTenant),
                options,
              );
              compared++;
              const a = JSON.stringify(normalised(forOther, other));
              const b = JSON.stringify(normalised(forMissing, missingId));
              if (a !== b) failures.push(`${label}:\n  other   ${a}\n  missing ${b}`);
            }
          }
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    // The oracle got past the front door: refusals compared and resources served.
    expect(compared).toBeGreaterThan(500);
    expect(served).toBeGreaterThan(100);
  });
});
