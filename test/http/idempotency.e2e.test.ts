import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { httpFixture, openBody, type HttpFixture } from '../specs/httpSpec.js';

/** `Idempotency-Key`: scoped to the token, remembered with the request it was first used for. */
describe('Idempotency-Key', () => {
  let f: HttpFixture;
  /** Extra tokens: same names as contoso's people, other tenants or other tokens. */
  let twins: { fabrikamAda: string; contosoAda2: string };
  beforeEach(async () => {
    f = await httpFixture();
    const issue = async (request: object) => {
      const issued = await f.services.tokens.issue({ role: 'admin', id: 'root' }, request);
      if (!issued.ok) throw issued.error;
      return issued.value.token;
    };
    twins = {
      fabrikamAda: await issue({ role: 'customer-admin', tenant: 'fabrikam', name: 'ada' }),
      contosoAda2: await issue({ role: 'customer-admin', tenant: 'contoso', name: 'ada' }),
    };
  });
  afterEach(() => f.close());

  const as = (token: string, url: string, payload: object, key?: string) =>
    f.app.inject({
      method: 'POST',
      url,
      payload,
      headers: {
        authorization: `Bearer ${token}`,
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
    });
  const log = async () => (await f.allEvents()).map((e) => `${e.streamId}#${e.revision}`);
  const caseLog = async (id: string) =>
    (await f.allEvents()).filter((e) => e.streamId === `case-${id}`).map((e) => e.type);

  it("another tenant's token with the same name and key learns nothing of the first case", async () => {
    const id = await f.open();
    const withdrawn = await as(f.tokens.ada, `/cases/${id}/withdraw`, { reason: 'fixed' }, '1');
    expect(withdrawn.statusCode).toBe(200);
    const before = await log();
    const probe = await as(twins.fabrikamAda, `/cases/${id}/withdraw`, { reason: 'x' }, '1');
    const missing = await as(
      twins.fabrikamAda,
      `/cases/cnosuchcase/withdraw`,
      { reason: 'x' },
      '1',
    );
    expect(probe.statusCode).toBe(404);
    expect(probe.headers['idempotent-replayed']).toBeUndefined();
    expect(probe.body).not.toMatch(/contoso|Outlook|fixed/);
    expect(probe.body.replaceAll(id, 'ID')).toBe(missing.body.replaceAll('cnosuchcase', 'ID'));
    expect(await log()).toEqual(before);
  });

  it('the same key and request replays the first result; records nothing new', async () => {
    const id = await f.open();
    const first = await as(f.tokens.li, `/cases/${id}/respond`, { message: 'on it' }, 'r1');
    const before = await log();
    const retry = await as(f.tokens.li, `/cases/${id}/respond`, { message: 'on it' }, 'r1');
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    expect(await log()).toEqual(before);
  });

  it('the same key on another request is refused with 422 and records nothing', async () => {
    const id = await f.open();
    const note = await as(f.tokens.li, `/cases/${id}/addNote`, { text: 'internal' }, 'k');
    expect(note.statusCode).toBe(200);
    const before = await log();
    for (const [url, body] of [
      [`/cases/${id}/respond`, { message: 'hello' }], // another command
      [`/cases/${id}/addNote`, { text: 'another text' }], // another body
      [`/cases/${await f.open()}/addNote`, { text: 'internal' }], // another case
    ] as const) {
      const reused = await as(f.tokens.li, url, body, 'k');
      expect(reused.statusCode, url).toBe(422);
      expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(reused.json()).toMatchObject({ code: 'idempotency-key-reused' });
      expect(reused.json<{ detail: string }>().detail).toContain(
        `/cases/:id/addNote on case ${id}`,
      );
    }
    expect((await log()).filter((e) => !before.includes(e))).toEqual([
      expect.stringMatching(/^case-c[0-9a-f]{20}#0$/), // the second case's open, nothing else
    ]);
    expect(await caseLog(id)).toEqual(['CaseOpened', 'NoteAdded']);
  });

  it('an open retried with its key finds its case; with another body, 422', async () => {
    const first = await as(f.tokens.ada, '/cases', openBody, 'open-1');
    const retry = await as(f.tokens.ada, '/cases', openBody, 'open-1');
    expect([first.statusCode, retry.statusCode]).toEqual([201, 201]);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    const before = await log();
    const other = await as(f.tokens.ada, '/cases', { ...openBody, title: 'Another' }, 'open-1');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'idempotency-key-reused' });
    expect(await log()).toEqual(before);
  });

  it('the same key from another token is independent, even with the same name and tenant', async () => {
    const mine = await as(f.tokens.ada, '/cases', openBody, 'same');
    const theirs = await as(twins.contosoAda2, '/cases', openBody, 'same');
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    const ids = [mine, theirs].map((r) => r.json<{ case: { id: string } }>().case.id);
    expect(ids[0]).not.toBe(ids[1]);
    // The actor is the token: events record which one, beside the name.
    const opened = (await f.allEvents()).filter((e) => e.type === 'CaseOpened').slice(-2);
    expect(opened.map((e) => e.metadata.actor.id)).toEqual(['ada', 'ada']);
    expect(new Set(opened.map((e) => e.metadata.actor.tokenId)).size).toBe(2);
  });

  it('a refused request records nothing, not even its key; its retry runs again', async () => {
    const id = await f.open();
    const before = await log();
    const early = await as(f.tokens.ada, `/cases/${id}/reopen`, { reason: 'again' }, 'ro');
    expect(early.statusCode).toBe(409);
    expect(await log()).toEqual(before);
    await as(f.tokens.li, `/cases/${id}/resolve`, { reason: 'fixed', summary: 'done' });
    const later = await as(f.tokens.ada, `/cases/${id}/reopen`, { reason: 'again' }, 'ro');
    expect(later.statusCode).toBe(200);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
  });

  it('concurrent twins of one keyed open open one case', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => as(f.tokens.ada, '/cases', openBody, 'burst')),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    const ids = new Set(responses.map((r) => r.json<{ case: { id: string } }>().case.id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
  });
});

describe('case ids', () => {
  it('cannot be computed from the tenant, the token name and the key', async () => {
    const opened: string[] = [];
    for (let i = 0; i < 2; i++) {
      const f = await httpFixture({ store: new MemoryEventStore() });
      const res = await f.request('ada', {
        method: 'POST',
        url: '/cases',
        payload: openBody,
        headers: { 'idempotency-key': 'k1' },
      });
      opened.push(res.json<{ case: { id: string } }>().case.id);
      await f.close();
    }
    const guessable = `c${createHash('sha256').update('case\0contoso\0ada\0k1').digest('hex').slice(0, 20)}`;
    expect(opened).not.toContain(guessable);
    // Same tenant, name and key on two deployments: two ids (each has its own secret).
    expect(opened[0]).not.toBe(opened[1]);
    expect(opened[0]).toMatch(/^c[0-9a-f]{20}$/);
  });
});
