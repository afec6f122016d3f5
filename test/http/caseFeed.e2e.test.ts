import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFixture, openBody, type HttpFixture, type Person } from '../specs/httpSpec.js';

interface Change {
  caseId: string;
  tenant: string;
  type: string;
  revision: number;
  position: string;
}

/** The `data` of each `event: case` message of an event-stream text. */
const changesIn = (text: string): Change[] =>
  text
    .split('\n\n')
    .filter((block) => block.includes('event: case'))
    .map((block) => JSON.parse(block.split('\ndata: ')[1]!) as Change);

describe('GET /feed: live case changes as Server-Sent Events', () => {
  let f: HttpFixture;
  let url: string;
  let contoso: string;
  let fabrikam: string;

  beforeAll(async () => {
    f = await httpFixture();
    url = await f.app.listen({ port: 0, host: '127.0.0.1' });
    contoso = await f.open();
    const res = await f.request('bo', { method: 'POST', url: '/cases', payload: openBody });
    fabrikam = res.json<{ case: { id: string } }>().case.id;
    await f.request('li', {
      method: 'POST',
      url: `/cases/${contoso}/addNote`,
      payload: { text: 'internal' },
    });
  });
  afterAll(() => f.close());

  const backlog = async (who: Person, query = '?after=0&follow=false') => {
    const res = await f.request(who, { method: 'GET', url: `/feed${query}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    return changesIn(res.body);
  };

  it('tells customers of their own tenant’s cases only, without internal notes', async () => {
    expect((await backlog('ada')).map((c) => [c.caseId, c.type])).toEqual([
      [contoso, 'CaseOpened'],
    ]);
    expect((await backlog('cy')).map((c) => c.caseId)).toEqual([contoso]);
    expect((await backlog('bo')).map((c) => [c.caseId, c.tenant])).toEqual([
      [fabrikam, 'fabrikam'],
    ]);
    expect((await backlog('li')).map((c) => c.type)).toEqual([
      'CaseOpened',
      'CaseOpened',
      'NoteAdded',
    ]);
  });

  it('resumes after a position; from the present when none is given', async () => {
    const all = await backlog('li');
    expect(await backlog('li', `?after=${all[1]!.position}&follow=false`)).toEqual([all[2]]);
    expect(await backlog('li', '?follow=false')).toEqual([]);
  });

  /** A feed over a socket of its own (no client pool keeps spare connections to the server). */
  const follow = (base: string, token: string) =>
    new Promise<{ text: () => string; next: () => Promise<void>; close: () => void }>(
      (resolve, reject) => {
        let text = '';
        let wake: (() => void) | undefined;
        const req = get(
          `${base}/feed`,
          { agent: false, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              text += chunk;
              wake?.();
            });
            resolve({
              text: () => text,
              next: () => new Promise<void>((r) => (wake = r)),
              close: () => req.destroy(),
            });
          },
        );
        req.on('error', reject);
      },
    );

  it('follows the log live: a change made after connecting arrives, another tenant’s never', async () => {
    const feed = await follow(url, f.tokens.ada);
    // Connected once the first comment arrives: changes from now on are followed.
    while (!feed.text().includes(': connected')) await feed.next();
    await f.request('li', {
      method: 'POST',
      url: `/cases/${fabrikam}/respond`,
      payload: { message: 'hi' },
    });
    await f.request('li', {
      method: 'POST',
      url: `/cases/${contoso}/respond`,
      payload: { message: 'hi' },
    });
    while (changesIn(feed.text()).length === 0) await feed.next();
    expect(changesIn(feed.text()).map((c) => [c.caseId, c.type])).toEqual([
      [contoso, 'AgentResponded'],
    ]);
    feed.close();
  });

  it('is refused to admins; the refusal is a problem document', async () => {
    const res = await f.request('root', { method: 'GET', url: '/feed?follow=false' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden' });
  });

  it('ends open feeds when the server closes', async () => {
    const other = await httpFixture();
    const address = await other.app.listen({ port: 0, host: '127.0.0.1' });
    const feed = await follow(address, other.tokens.li);
    while (!feed.text().includes(': connected')) await feed.next();
    await other.close();
    expect(feed.text()).toContain(': connected');
  });
});
