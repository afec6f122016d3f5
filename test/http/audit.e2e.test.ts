import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFixture, type HttpFixture } from '../specs/httpSpec.js';

describe('auditor reads over HTTP', () => {
  let f: HttpFixture;
  let id = '';
  const lines: string[] = [];
  beforeAll(async () => {
    f = await httpFixture({ log: (line) => lines.push(line) });
    id = await f.open(); // Monday 10:00 Beijing, B: due Tuesday 10:00
    f.clock.advanceTo(Date.parse('2026-11-23T03:00:00Z'));
    await f.request('li', {
      method: 'POST',
      url: `/cases/${id}/requestInfo`,
      payload: { message: 'logs?' },
    });
    f.clock.advanceTo(Date.parse('2026-11-23T04:00:00Z'));
    await f.request('li', {
      method: 'POST',
      url: `/cases/${id}/addNote`,
      payload: { text: 'internal' },
    });
  });
  afterAll(() => f.close());

  it('history: every event with its envelope and the state and severity after it', async () => {
    const res = await f.request('audrey', { method: 'GET', url: `/cases/${id}/history` });
    expect(res.statusCode).toBe(200);
    const { entries } = res.json<{ entries: Array<Record<string, unknown>> }>();
    expect(entries.map((e) => [e.revision, e.type, e.state, e.severity])).toEqual([
      [0, 'CaseOpened', 'opened', 'B'],
      [1, 'CustomerInfoRequested', 'awaitingCustomer', 'B'],
      [2, 'NoteAdded', 'awaitingCustomer', 'B'],
    ]);
    expect(entries[1]).toMatchObject({
      occurredAt: '2026-11-23T03:00:00.000Z',
      actor: { role: 'agent', id: 'li' },
      policyVersion: 'seed-2026.2',
      machineVersion: 2,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(
      (await f.request('ada', { method: 'GET', url: `/cases/${id}/history` })).statusCode,
    ).toBe(403);
    expect((await f.request('bo', { method: 'GET', url: `/cases/${id}/history` })).statusCode).toBe(
      403,
    );
  });

  it('?at=: the case as it was, with the deadlines running and the business time left', async () => {
    const early = await f.request('audrey', {
      method: 'GET',
      url: `/cases/${id}?at=2026-11-23T10:30:00%2B08:00`,
    });
    expect(early.statusCode).toBe(200);
    expect(early.json()).toMatchObject({
      state: 'opened',
      revision: 0,
      at: '2026-11-23T02:30:00.000Z',
      runningDeadlines: [
        { kind: 'response-deadline', businessLeftMs: 14.5 * 3_600_000, leftMs: 23.5 * 3_600_000 },
      ],
    });
    const later = await f.request('ada', {
      method: 'GET',
      url: `/cases/${id}?at=2026-11-23T11:30:00%2B08:00`,
    });
    expect(later.json()).toMatchObject({
      state: 'awaitingCustomer',
      runningDeadlines: [{ kind: 'customer-nonresponse' }],
    });
    const before = await f.request('audrey', {
      method: 'GET',
      url: `/cases/${id}?at=2026-11-01T00:00:00Z`,
    });
    expect(before.statusCode).toBe(404);
    const bad = await f.request('audrey', { method: 'GET', url: `/cases/${id}?at=yesterday` });
    expect(bad.statusCode).toBe(400);
  });

  it('every read by an auditor is logged with who, what and when; nothing is appended', async () => {
    const before = (await f.allEvents()).length;
    lines.length = 0;
    await f.request('audrey', { method: 'GET', url: `/cases/${id}/events` });
    await f.request('li', { method: 'GET', url: `/cases/${id}` });
    const audits = lines
      .map((l) => JSON.parse(l) as { msg: string; time: number; audit?: unknown })
      .filter((l) => l.msg === 'audit read');
    expect(audits).toEqual([
      expect.objectContaining({
        time: expect.any(Number),
        audit: {
          actor: { role: 'auditor', id: 'audrey', tokenId: expect.any(String) },
          action: 'events',
          caseId: id,
          url: `/cases/${id}/events`,
        },
      }),
    ]);
    expect((await f.allEvents()).length).toBe(before);
  });
});
