import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { EsdbEventStore, openEsdbEventStore } from '../../src/adapters/esdbEventStore.js';
import type { EventStore, NewEvent, RecordedEvent } from '../../src/application/eventStore.js';
import { docketEvent } from '../support/docketEvents.js';
import { EsdbTestServer } from '../support/esdbTestServer.js';
import { within } from '../specs/within.js';
import { EventStoreDBClient } from '@eventstore/db-client';

const event = (i: number, commandId?: string): NewEvent =>
  docketEvent('Noted', { i, text: 'x'.repeat(2_000) }, commandId);

const first = async (events: AsyncIterable<RecordedEvent>) => {
  for await (const e of events) return e;
  throw new Error('no event');
};

/**
 * Defect 1 of #16: every read the adapter stops early (a page of `$all` cut by `maxCount`, the
 * one-record position probe, the duplicate found mid-stream, the backwards scan for a
 * starting point) must cancel its gRPC call, so no call stays open on the server and
 * `close()` resolves. The reads are large (pages of 2 KB events) so the server is still
 * writing when the adapter stops, as a real server is.
 */
describe('EventStoreDB adapter: reads that stop early leave no call open', () => {
  const id = `case-${randomUUID()}`;
  const command = randomUUID();
  const servers: EsdbTestServer[] = [];

  /** A server of its own per test (a call left open must not fail the next test) and a store. */
  const seeded = async () => {
    const server = await EsdbTestServer.start();
    servers.push(server);
    const seed = openEsdbEventStore({ connectionString: server.connectionString });
    await seed.append(
      id,
      Array.from({ length: 300 }, (_, i) => event(i)),
      { expectedRevision: 'no-stream' },
    );
    await seed.append(id, [event(300, command)], { expectedRevision: 299 });
    await seed.close();
    const client = EventStoreDBClient.connectionString(server.connectionString);
    return { server, store: new EsdbEventStore(client, undefined, { pageSize: 100 }) };
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  const stops: [string, (store: EventStore) => Promise<unknown>][] = [
    [
      'readAll stopped by maxCount inside a page',
      async (s) => {
        for await (const e of s.readAll({ maxCount: 3 })) expect(e).toBeDefined();
      },
    ],
    [
      'readAll from a position (the one-record probe, then a page)',
      async (s) => {
        const { position } = await first(s.readStream(id));
        for await (const e of s.readAll({ after: position, maxCount: 1 })) expect(e).toBeDefined();
      },
    ],
    [
      'readAll from a position no record has (the backwards scan for a starting point)',
      async (s) => {
        const { position } = await first(s.readStream(id));
        for await (const e of s.readAll({ after: position + 1n, maxCount: 1 }))
          expect(e).toBeDefined();
      },
    ],
    [
      'an append whose command id the stream holds last (the duplicate scan stops there)',
      (s) => s.append(id, [event(0, command)], { expectedRevision: 'any' }),
    ],
    [
      'readStream left by its consumer',
      async (s) => {
        for await (const e of s.readStream(id)) if (e.revision === 1) break;
      },
    ],
  ];

  for (const [name, stop] of stops) {
    it(`${name}: the call is cancelled and close() resolves`, async () => {
      const { server, store } = await seeded();
      await stop(store);
      await within(server.readsSettled(), 5_000, 'every read call ended');
      expect(server.openReads).toBe(0);
      await within(store.close(), 5_000, 'close()');
    });
  }
});
