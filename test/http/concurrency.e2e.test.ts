import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import { httpFixture, openBody, people, type HttpFixture, type Person } from '../specs/httpSpec.js';

describe('retries and concurrent writers (SQLite store)', () => {
  let f: HttpFixture;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'docket-http-'));
    f = await httpFixture({ store: new SqliteEventStore({ path: join(dir, 'events.db') }) });
  });
  afterEach(async () => {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const caseEvents = async (id: string) =>
    (await f.allEvents()).filter((e) => e.streamId === `case-${id}`);

  it('a retried open with the same Idempotency-Key returns the same case and opens nothing new', async () => {
    const send = () =>
      f.request('ada', {
        method: 'POST',
        url: '/cases',
        payload: openBody,
        headers: { 'idempotency-key': 'open-42' },
      });
    const first = await send();
    const retry = await send();
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const id = first.json<{ case: { id: string } }>().case.id;
    expect(retry.json()).toEqual(first.json());
    expect((await caseEvents(id)).map((e) => e.type)).toEqual(['CaseOpened']);
    // Another admin's key with the same text is another request.
    const other = await f.request('bo', {
      method: 'POST',
      url: '/cases',
      payload: openBody,
      headers: { 'idempotency-key': 'open-42' },
    });
    expect(other.json<{ case: { id: string } }>().case.id).not.toBe(id);
  });

  it('a retried command returns the first result, even after the case moved on', async () => {
    const id = await f.open();
    const respond = () =>
      f.request('li', {
        method: 'POST',
        url: `/cases/${id}/respond`,
        payload: { message: 'looking' },
        headers: { 'idempotency-key': 'r-1' },
      });
    const first = await respond();
    await f.request('li', { method: 'POST', url: `/cases/${id}/addNote`, payload: { text: 'n' } });
    const retry = await respond();
    expect(retry.statusCode).toBe(200);
    expect(retry.json<{ case: { revision: number } }>().case.revision).toBe(1);
    expect(retry.json<{ events: unknown[] }>().events).toEqual(
      first.json<{ events: unknown[] }>().events,
    );
    expect((await caseEvents(id)).map((e) => e.type)).toEqual([
      'CaseOpened',
      'AgentResponded',
      'NoteAdded',
    ]);
  });

  it('If-Match: the revision the agent saw, or 409 with the current one and nothing appended', async () => {
    const id = await f.open();
    await f.request('li', { method: 'POST', url: `/cases/${id}/addNote`, payload: { text: 'n' } });
    const stale = await f.request('mei', {
      method: 'POST',
      url: `/cases/${id}/respond`,
      payload: { message: 'hi' },
      headers: { 'if-match': '"0"' },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'conflict', currentRevision: 1 });
    expect(await caseEvents(id)).toHaveLength(2);
    const fresh = await f.request('mei', {
      method: 'POST',
      url: `/cases/${id}/respond`,
      payload: { message: 'hi' },
      headers: { 'if-match': '"1"' },
    });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers.etag).toBe('"2"');
    const bad = await f.request('mei', {
      method: 'POST',
      url: `/cases/${id}/addNote`,
      payload: { text: 'x' },
      headers: { 'if-match': 'yesterday' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'validation',
      errors: [{ path: 'headers.if-match' }],
    });
  });

  it('20 agents adding notes at once: every note is recorded once, revisions have no gap', async () => {
    const id = await f.open();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        f.request('li', {
          method: 'POST',
          url: `/cases/${id}/addNote`,
          payload: { text: `note ${i}` },
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    const events = await caseEvents(id);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    const texts = events.slice(1).map((e) => (e.data as { text: string }).text);
    expect(texts.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `note ${i}`).sort());
  });

  it('100 notes at once on one case in one process queue up: none is refused, none lost', async () => {
    const id = await f.open();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        f.request(i % 2 === 0 ? 'li' : 'mei', {
          method: 'POST',
          url: `/cases/${id}/addNote`,
          payload: { text: `note ${i}` },
        }),
      ),
    );
    expect(responses.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
    const events = await caseEvents(id);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });

  it('20 agents resolving at once: one resolution; the others are re-decided and refused', async () => {
    const id = await f.open();
    const agents: Person[] = ['li', 'mei'];
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        f.request(agents[i % 2], {
          method: 'POST',
          url: `/cases/${id}/resolve`,
          payload: { reason: 'fixed', summary: `by ${i}` },
        }),
      ),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    for (const r of responses.filter((r) => r.statusCode !== 200)) {
      expect(r.statusCode).toBe(409);
      expect(r.json<{ code: string }>().code).toMatch(/^(invalid-transition|conflict)$/);
    }
    expect((await caseEvents(id)).map((e) => e.type)).toEqual(['CaseOpened', 'CaseResolved']);
  });

  it('20 agents responding with the same If-Match: exactly one wins, 19 get 409 with the new revision', async () => {
    const id = await f.open();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        f.request('li', {
          method: 'POST',
          url: `/cases/${id}/respond`,
          payload: { message: 'first!' },
          headers: { 'if-match': '"0"' },
        }),
      ),
    );
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
    const refused = responses.filter((r) => r.statusCode !== 200);
    expect(refused).toHaveLength(19);
    for (const r of refused)
      expect(r.json()).toMatchObject({ status: 409, code: 'conflict', currentRevision: 1 });
    expect((await caseEvents(id)).map((e) => e.type)).toEqual(['CaseOpened', 'AgentResponded']);
    expect(people.li.role).toBe('agent');
  });
});
