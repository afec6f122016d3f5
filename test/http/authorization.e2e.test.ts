import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { CaseTenancy } from '../../src/application/caseTenancy.js';
import { routeAccess } from '../../src/http/routeAccess.js';
import { httpCaseCommands } from '../../src/http/httpCaseCommands.js';
import { httpFixture, people, type HttpFixture, type Person } from '../specs/httpSpec.js';

/** Each command's input, and the commands that bring a fresh case to a state that allows it. */
const commands: Record<
  (typeof httpCaseCommands)[number],
  { input: object; before: Array<[Person, string, object]>; allowed: Person[] }
> = {
  assign: { input: { agent: 'mei' }, before: [], allowed: ['li', 'mei'] },
  respond: { input: { message: 'on it' }, before: [], allowed: ['li', 'mei'] },
  requestInfo: { input: { message: 'logs?' }, before: [], allowed: ['li', 'mei'] },
  customerReply: {
    input: { message: 'attached' },
    before: [['li', 'requestInfo', { message: 'logs?' }]],
    allowed: ['ada'],
  },
  changeSeverity: {
    input: { severity: 'C', reason: 'one user' },
    before: [],
    allowed: ['li', 'mei'],
  },
  addNote: { input: { text: 'internal' }, before: [], allowed: ['li', 'mei'] },
  resolve: { input: { reason: 'fixed', summary: 'done' }, before: [], allowed: ['li', 'mei'] },
  withdraw: { input: { reason: 'not needed' }, before: [], allowed: ['ada'] },
  reopen: {
    input: { reason: 'again' },
    before: [['li', 'resolve', { reason: 'fixed', summary: 'done' }]],
    allowed: ['ada'],
  },
  submitSurvey: {
    input: { rating: 4 },
    before: [['li', 'resolve', { reason: 'fixed', summary: 'done' }]],
    allowed: ['ada'],
  },
};

const everyone = Object.keys(people) as Person[];

describe('who may do what, each role × each route', () => {
  let f: HttpFixture;
  beforeAll(async () => {
    f = await httpFixture();
  });
  afterAll(() => f.close());

  /** Sends the request and checks that a refusal appended nothing. */
  const attempt = async (
    who: Person | undefined,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    const before = (await f.allEvents()).length;
    const res = await f.request(who, {
      method,
      url,
      ...(payload === undefined ? {} : { payload }),
    });
    if (res.statusCode >= 400) {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await f.allEvents()).length, `${who ?? 'anonymous'} ${method} ${url}`).toBe(before);
    }
    return res;
  };

  it('every route but /health and the API description needs a token', async () => {
    const id = await f.open();
    for (const [method, url] of [
      ['POST', '/cases'],
      ['GET', `/cases/${id}`],
      ['GET', `/cases/${id}/events`],
      ...httpCaseCommands.map((c) => ['POST', `/cases/${id}/${c}`] as const),
      ['GET', '/offerings'],
      ['GET', '/offerings/21vianet/lines'],
      ['GET', '/tenants'],
      ['POST', '/tenants'],
      ['GET', '/tenants/contoso'],
      ['PATCH', '/tenants/contoso'],
      ['GET', '/tokens'],
      ['POST', '/tokens'],
      ['DELETE', '/tokens/6c2d1a4e-0d0c-4f55-9d3e-3f1f3c1b2a10'],
      ['GET', '/no-such-route'],
    ] as const) {
      const res = await attempt(undefined, method, url, method === 'GET' ? undefined : {});
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthenticated' });
    }
    const garbage = await f.request(undefined, {
      method: 'GET',
      url: `/cases/${id}`,
      headers: { authorization: 'Bearer dkt_not-a-real-token' },
    });
    expect(garbage.statusCode).toBe(401);
    for (const url of ['/health', '/openapi.json', '/docs/']) {
      expect((await f.request(undefined, { method: 'GET', url })).statusCode, url).toBe(200);
    }
  });

  it('only customer admins open cases; anyone else is refused, a customer user pointed to their admin or the forums', async () => {
    for (const who of everyone) {
      const res = await attempt(who, 'POST', '/cases', {
        line: 'technical',
        severity: 'C',
        category: 'sso',
        title: 'SSO',
        contact: { name: 'X', email: 'x@example.com' },
      });
      if (who === 'ada' || who === 'bo') {
        expect(res.statusCode, who).toBe(201);
        continue;
      }
      expect(res.statusCode, who).toBe(403);
      expect(res.json()).toMatchObject({ code: 'forbidden' });
      if (who === 'cy')
        expect(res.json<{ detail: string }>().detail).toMatch(/admin.*community forums/);
    }
  });

  for (const command of httpCaseCommands) {
    it(`${command}: only ${commands[command].allowed.join(' and ')}; roles that never may get 403, another tenant's admin 404`, async () => {
      const { input, before, allowed } = commands[command];
      const id = await f.open();
      for (const [who, c, body] of before) {
        expect(
          (await f.request(who, { method: 'POST', url: `/cases/${id}/${c}`, payload: body }))
            .statusCode,
        ).toBe(200);
      }
      for (const who of everyone.filter((p) => !allowed.includes(p))) {
        const res = await attempt(who, 'POST', `/cases/${id}/${command}`, input);
        // The refusal order: a role that may never issue the command gets 403 whatever the case;
        // one that may, on another tenant's case, gets the 404 of a case that does not exist.
        if (who === 'bo' && allowed.includes('ada')) {
          expect(res.statusCode, who).toBe(404);
          expect(res.json()).toMatchObject({ code: 'not-found' });
        } else {
          expect(res.statusCode, who).toBe(403);
          expect(res.json()).toMatchObject({ code: 'forbidden' });
          if (who === 'cy' && allowed.includes('ada'))
            expect(res.json<{ detail: string }>().detail).toMatch(/community forums/);
        }
      }
      const ok = await attempt(allowed[0], 'POST', `/cases/${id}/${command}`, input);
      expect(ok.statusCode, ok.body).toBe(200);
    });
  }

  it('reads: agents, auditors and the case’s own customers; another tenant 404; reporter and admin 403', async () => {
    const id = await f.open();
    for (const url of [`/cases/${id}`, `/cases/${id}/events`]) {
      for (const who of everyone) {
        const res = await attempt(who, 'GET', url);
        const expected = { bo: 404, rex: 403, root: 403 }[who as string] ?? 200;
        expect(res.statusCode, `${who} ${url}`).toBe(expected);
      }
    }
  });

  it('tenants and tokens: admins manage them; customers see only their own tenant', async () => {
    for (const who of everyone) {
      const admin = who === 'root';
      const register = await attempt(who, 'POST', '/tenants', {
        id: `t-${who}`,
        offering: 'office365-germany',
        advancedAgreement: false,
      });
      expect(register.statusCode, who).toBe(admin ? 201 : 403);
      const patch = await attempt(who, 'PATCH', '/tenants/fabrikam', { advancedAgreement: true });
      expect(patch.statusCode, who).toBe(admin ? 200 : 403);
      const issue = await attempt(who, 'POST', '/tokens', { role: 'agent', name: `from-${who}` });
      expect(issue.statusCode, who).toBe(admin ? 201 : 403);
      expect((await attempt(who, 'GET', '/tokens')).statusCode, who).toBe(admin ? 200 : 403);
      const list = await attempt(who, 'GET', '/tenants');
      expect(list.statusCode).toBe(200);
      const ids = list.json<Array<{ id: string }>>().map((t) => t.id);
      const own = 'tenant' in people[who] ? people[who].tenant : undefined;
      if (own !== undefined) expect(ids, who).toEqual([own]);
      else expect(ids, who).toEqual(expect.arrayContaining(['contoso', 'fabrikam']));
      const other = await attempt(who, 'GET', '/tenants/fabrikam');
      expect(other.statusCode, who).toBe(own !== undefined && own !== 'fabrikam' ? 404 : 200);
    }
    // A revoked token stops working at once.
    const issued = await f.request('root', {
      method: 'POST',
      url: '/tokens',
      payload: { role: 'auditor' },
    });
    const { token, tokenId } = issued.json<{ token: string; tokenId: string }>();
    const asIt = () =>
      f.app.inject({
        method: 'GET',
        url: '/offerings',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await asIt()).statusCode).toBe(200);
    expect(
      (await f.request('li', { method: 'DELETE', url: `/tokens/${tokenId}` })).statusCode,
    ).toBe(403);
    expect(
      (await f.request('root', { method: 'DELETE', url: `/tokens/${tokenId}` })).statusCode,
    ).toBe(200);
    expect((await asIt()).statusCode).toBe(401);
  });

  it('the support directory is readable by every authenticated role', async () => {
    for (const who of everyone) {
      expect((await attempt(who, 'GET', '/offerings')).statusCode).toBe(200);
      expect((await attempt(who, 'GET', '/offerings/21vianet/lines')).statusCode).toBe(200);
    }
  });
});

describe('route access', () => {
  it('a route that does not say who may use it is refused at start-up', async () => {
    const app = Fastify();
    routeAccess(app, new CaseTenancy(new MemoryEventStore()));
    app.get('/open', { config: { public: true } }, () => 'ok');
    app.get('/declared', { config: { access: { roles: ['agent'] } } }, () => 'ok');
    expect(() => app.get('/forgotten', () => 'oops')).toThrow(
      'route GET /forgotten declares no access',
    );
    await app.close();
  });
});
