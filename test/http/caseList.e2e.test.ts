import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timerDispatcher } from '../../src/application/timerDispatcher.js';
import { httpFixture, openBody, type HttpFixture, type Person } from '../specs/httpSpec.js';
import { atRiskPolicy } from '../specs/slaPolicies.js';

interface Item {
  id: string;
  tenant: string;
  state: string;
  title: string;
  assignee: string | null;
  dueAt: string | null;
  breached: boolean;
  atRisk: boolean;
  waitingOn: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

describe('GET /cases: list and search from the case-list read model', () => {
  let f: HttpFixture;
  const ids: Record<string, string> = {};

  const list = async (who: Person, query = '') => {
    const res = await f.request(who, { method: 'GET', url: `/cases${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return { page: res.json<Page>(), headers: res.headers };
  };
  const act = async (who: Person, id: string, command: string, payload: object) => {
    const res = await f.request(who, { method: 'POST', url: `/cases/${id}/${command}`, payload });
    expect(res.statusCode, res.body).toBe(200);
  };

  beforeAll(async () => {
    // A policy with a 75 % at-risk threshold on response targets (the built-in one sets none).
    f = await httpFixture({ readModels: true, policy: atRiskPolicy });
    const open = async (who: Person, title: string, severity: string) => {
      const res = await f.request(who, {
        method: 'POST',
        url: '/cases',
        payload: { ...openBody, title, severity },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ case: { id: string } }>().case.id;
    };
    ids.mailbox = await open('ada', 'Mailbox migration stuck', 'B');
    ids.sso = await open('ada', 'SSO fails for 100% of users', 'C');
    ids.fab = await open('bo', 'Fabrikam warehouse cannot sign in', 'B');
    await act('li', ids.sso, 'assign', { agent: 'li' });
    await act('li', ids.sso, 'respond', { message: 'looking' });
    await act('li', ids.sso, 'resolve', { reason: 'fixed', summary: 'done' });
    await f.projected();
  });
  afterAll(() => f.close());

  it('customers see only their tenant’s cases, whatever tenant they name; resolved ones too', async () => {
    for (const query of ['', '?tenant=fabrikam']) {
      const { page } = await list('ada', query);
      expect(page.items.map((i) => i.id).sort()).toEqual([ids.mailbox, ids.sso].sort());
      expect(page.items.every((i) => i.tenant === 'contoso')).toBe(true);
    }
    expect((await list('bo')).page.items.map((i) => i.id)).toEqual([ids.fab]);
    expect((await list('li')).page.items).toHaveLength(3);
  });

  it('answers with its read model’s position', async () => {
    const { headers } = await list('li');
    expect(headers['docket-read-model-rebuilding']).toBe('false');
    expect(Number(headers['docket-read-model-position'])).toBeGreaterThan(0);
  });

  it('sorts by due instant (none last) and pages with a cursor', async () => {
    const { page } = await list('li');
    expect(page.items.at(-1)).toMatchObject({ id: ids.sso, state: 'resolved' });
    const dues = page.items.map((i) => i.dueAt ?? '~');
    expect([...dues].sort()).toEqual(dues);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`;
      const next: Page = (await list('li', q)).page;
      seen.push(...next.items.map((i) => i.id));
      cursor = next.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(page.items.map((i) => i.id));
  });

  it('filters: state, unassigned, text in the title, awaiting customer, breached, at risk', async () => {
    const ids_ = async (query: string) => (await list('li', query)).page.items.map((i) => i.id);
    expect(await ids_('?state=resolved')).toEqual([ids.sso]);
    expect((await ids_('?state=opened,resolved')).sort()).toEqual(
      [ids.mailbox, ids.sso, ids.fab].sort(),
    );
    expect((await ids_('?unassigned=true')).sort()).toEqual([ids.mailbox, ids.fab].sort());
    expect(await ids_('?q=100%25')).toEqual([ids.sso]);
    expect(await ids_('?q=MAILBOX')).toEqual([ids.mailbox]);
    expect(await ids_('?awaitingCustomer=true')).toEqual([]);
    expect(await ids_('?breached=true')).toEqual([]);
    expect(await ids_('?atRisk=true')).toEqual([]);
    // B on 21vianet technical: 15 business hours; 75 % of them are used by 21:15 Beijing,
    // when the at-risk timers fire and record SlaTargetAtRisk.
    const dueAt = Date.parse('2026-11-23T13:15:00Z');
    f.clock.advanceTo(dueAt);
    const fire = timerDispatcher(f.services.commands, f.clock);
    for (const caseId of [ids.mailbox!, ids.fab!])
      await fire({ caseId, kind: 'response-at-risk', dueAt, revision: 0 });
    await f.projected();
    expect((await ids_('?atRisk=true')).sort()).toEqual([ids.mailbox, ids.fab].sort());
    expect(await ids_('?atRisk=true&tenant=contoso')).toEqual([ids.mailbox]);
    expect(await ids_('?atRisk=false')).toEqual([ids.sso]);
    const queue = await f.request('li', { method: 'GET', url: '/queues/at-risk' });
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json<{ items: unknown[] }>().items).toContainEqual(
      expect.objectContaining({
        id: ids.mailbox,
        atRisk: true,
        atRiskTargets: ['response'],
        breached: false,
        waitingOn: 'agent',
      }),
    );
    // The first response meets the target: the case is no longer at risk.
    await act('li', ids.mailbox!, 'respond', { message: 'on it' });
    await f.projected();
    expect(await ids_('?atRisk=true')).toEqual([ids.fab]);
  });

  it('refuses a cursor it did not make, or one of another sort', async () => {
    const res = await f.request('li', { method: 'GET', url: '/cases?cursor=bogus' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'validation',
      errors: [{ path: 'querystring.cursor' }],
    });
    const first = (await list('li', '?limit=1')).page.nextCursor!;
    const other = await f.request('li', {
      method: 'GET',
      url: `/cases?limit=1&sort=updated&cursor=${first}`,
    });
    expect(other.statusCode).toBe(400);
  });

  it('is not for admins', async () => {
    const res = await f.request('root', { method: 'GET', url: '/cases' });
    expect(res.statusCode).toBe(403);
  });
});
