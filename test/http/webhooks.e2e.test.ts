import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFixture, type HttpFixture } from '../specs/httpSpec.js';

describe('webhook routes', () => {
  let f: HttpFixture;
  beforeAll(async () => {
    f = await httpFixture({ readModels: true });
  });
  afterAll(() => f.close());

  const hook = { url: 'https://hooks.example.com/docket', events: ['CaseOpened'] };

  it('registers an endpoint and shows its signing secret once', async () => {
    const res = await f.request('root', { method: 'POST', url: '/webhooks', payload: hook });
    expect(res.statusCode).toBe(201);
    const created = res.json<Record<string, unknown>>();
    expect(created).toMatchObject({ ...hook, status: 'enabled' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).not.toHaveProperty('tenant');
    const listed = await f.request('root', { url: '/webhooks' });
    expect(listed.body).not.toContain('whsec_');
    const one = await f.request('root', { url: `/webhooks/${created.id as string}` });
    expect(one.json()).toEqual({ ...created, secret: undefined });
  });

  it("a customer admin's endpoint is its tenant's; it sees only those, and may not name another tenant", async () => {
    const own = await f.request('ada', { method: 'POST', url: '/webhooks', payload: hook });
    expect(own.json()).toMatchObject({ tenant: 'contoso' });
    const other = await f.request('ada', {
      method: 'POST',
      url: '/webhooks',
      payload: { ...hook, tenant: 'fabrikam' },
    });
    expect(other.statusCode).toBe(403);
    const missing = await f.request('ada', {
      method: 'POST',
      url: '/webhooks',
      payload: { ...hook, tenant: 'nosuchtenant' },
    });
    expect(missing.json()).toEqual({ ...other.json(), instance: '/webhooks' });
    const bos = await f.request('bo', { url: '/webhooks' });
    expect(bos.json()).toEqual([]);
    const adas = await f.request('ada', { url: '/webhooks' });
    expect(adas.json<unknown[]>().map((e) => (e as { tenant: string }).tenant)).toEqual([
      'contoso',
    ]);
    const seen = await f.request('bo', { url: `/webhooks/${own.json<{ id: string }>().id}` });
    expect(seen.statusCode).toBe(404);
  });

  it('refuses internal notes to a tenant, unknown event types, and private URLs (SSRF)', async () => {
    const note = await f.request('root', {
      method: 'POST',
      url: '/webhooks',
      payload: { ...hook, events: ['NoteAdded'], tenant: 'contoso' },
    });
    expect(note.statusCode).toBe(400);
    expect(note.json()).toMatchObject({ code: 'validation', errors: [{ path: 'events' }] });
    const unknown = await f.request('root', {
      method: 'POST',
      url: '/webhooks',
      payload: { ...hook, events: ['CaseExploded'] },
    });
    expect(unknown.statusCode).toBe(400);
    for (const url of ['http://127.0.0.1:8080/x', 'http://169.254.169.254/', 'http://localhost/']) {
      const res = await f.request('root', {
        method: 'POST',
        url: '/webhooks',
        payload: { ...hook, url },
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation', errors: [{ path: 'url' }] });
    }
  });

  it('only admins and customer admins manage webhooks', async () => {
    for (const who of ['li', 'cy', 'audrey', 'rex'] as const) {
      const res = await f.request(who, { url: '/webhooks' });
      expect(res.statusCode, who).toBe(403);
    }
  });

  it('disables, enables and deletes; a delivery log that is empty; an unknown delivery is 404', async () => {
    const { id } = (
      await f.request('ada', { method: 'POST', url: '/webhooks', payload: hook })
    ).json<{ id: string }>();
    const off = await f.request('ada', { method: 'POST', url: `/webhooks/${id}/disable` });
    expect(off.json()).toMatchObject({ status: 'disabled', disabled: { reason: 'requested' } });
    const on = await f.request('ada', { method: 'POST', url: `/webhooks/${id}/enable` });
    expect(on.json()).toMatchObject({ status: 'enabled' });
    expect(on.json()).not.toHaveProperty('disabled');
    const log = await f.request('ada', { url: `/webhooks/${id}/deliveries` });
    expect(log.json()).toEqual({ deliveries: [] });
    const none = await f.request('ada', {
      method: 'POST',
      url: `/webhooks/${id}/deliveries/msg_AAAAAAAAAAAAAAAAAAAAAAAAAA/redeliver`,
    });
    expect(none.statusCode).toBe(404);
    const gone = await f.request('ada', { method: 'DELETE', url: `/webhooks/${id}` });
    expect(gone.statusCode).toBe(204);
    expect((await f.request('ada', { url: `/webhooks/${id}` })).statusCode).toBe(404);
  });
});
