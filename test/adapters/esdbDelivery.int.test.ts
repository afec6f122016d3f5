import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEsdbEventStore } from '../../src/adapters/esdbEventStore.js';
import type { EventStore, RecordedEvent } from '../../src/application/eventStore.js';
import { collect, docketEvent } from '../support/docketEvents.js';
import { EsdbTestServer } from '../support/esdbTestServer.js';
import { within } from '../specs/within.js';

/**
 * #16, defect 6: `readAll` and `subscribe` deliver every Docket stream as the other adapters
 * do (not only `case-` and `directory-`), fractional revision bounds read as bounds, and the
 * tuning options reach the adapter through `openEsdbEventStore`.
 */
describe('EventStoreDB adapter: which streams and revisions it delivers', () => {
  let server: EsdbTestServer;
  let store: EventStore;
  const ids = [`case-${randomUUID()}`, `webhook-${randomUUID()}`, `timer-${randomUUID()}`];

  beforeAll(async () => {
    server = await EsdbTestServer.start();
    store = openEsdbEventStore({ connectionString: server.connectionString });
    for (const id of ids) {
      await store.append(id, [docketEvent('One'), docketEvent('Two'), docketEvent('Three')], {
        expectedRevision: 'no-stream',
      });
    }
  });
  afterAll(async () => {
    await store.close();
    await server.stop();
  });

  it('readAll and a subscription carry every category, and no system event', async () => {
    const all = await collect(store.readAll());
    expect(new Set(all.map((e) => e.streamId))).toEqual(new Set(ids));
    const subscription = store.subscribe();
    const seen: RecordedEvent[] = [];
    try {
      await within(
        (async () => {
          for await (const event of subscription) if (seen.push(event) >= all.length) return;
        })(),
        10_000,
        'the subscription to deliver the history',
      );
    } finally {
      await subscription.close();
    }
    expect(seen.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
  });

  it('a fractional fromRevision is a bound, not a RangeError', async () => {
    const [id] = ids;
    const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
      (await collect(store.readStream(id!, options))).map((e) => e.revision);
    expect(await revisions({ fromRevision: 0.5 })).toEqual([1, 2]);
    expect(await revisions({ fromRevision: 1.5, direction: 'backwards' })).toEqual([1, 0]);
  });

  it('openEsdbEventStore passes the tuning options on', () => {
    const open = (pageSize: number) => () =>
      openEsdbEventStore({ connectionString: server.connectionString, pageSize });
    expect(open(1)).toThrow(/pageSize/);
    expect(open(2)).not.toThrow();
  });
});
