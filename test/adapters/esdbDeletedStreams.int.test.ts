import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEsdbEventStore } from '../../src/adapters/esdbEventStore.js';
import { GENESIS_HASH, type EventStore } from '../../src/application/eventStore.js';
import { EventStoreRefusal, isEventStoreRefused } from '../../src/application/eventStoreFaults.js';
import { collect, docketEvent } from '../support/docketEvents.js';
import { EsdbTestServer } from '../support/esdbTestServer.js';

/**
 * Streams an operator deleted or truncated in EventStoreDB (#16, defect 4). ESDB keeps a
 * soft-deleted stream's revision numbers and takes a no-stream append as its continuation:
 * the adapter, which chains hashes from revision 0 for a stream it cannot read, refuses
 * instead. A truncated stream whose tail is readable chains on from that tail.
 */
describe('EventStoreDB adapter: deleted and truncated streams', () => {
  let server: EsdbTestServer;
  let store: EventStore;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    server = await EsdbTestServer.start();
    store = openEsdbEventStore({ connectionString: server.connectionString });
    client = EventStoreDBClient.connectionString(server.connectionString);
  });
  afterAll(async () => {
    await store.close();
    await client.dispose();
    await server.stop();
  });

  const withEvents = async (count: number) => {
    const id = `case-${randomUUID()}`;
    const events = Array.from({ length: count }, (_, i) => docketEvent(`E${i}`));
    await store.append(id, events, { expectedRevision: 'no-stream' });
    return id;
  };
  const refusal = (error: unknown) => (isEventStoreRefused(error) ? error.reason : error);

  it('a soft-deleted stream reads as empty, and an append to it is refused, writing nothing', async () => {
    const id = await withEvents(3);
    await client.deleteStream(id);
    expect(await collect(store.readStream(id))).toEqual([]);
    const before = server.log.records.length;
    const error = await store
      .append(id, [docketEvent('Again')], { expectedRevision: 'no-stream' })
      .catch((e: unknown) => e);
    expect(refusal(error)).toBe(EventStoreRefusal.streamDeleted);
    expect(server.log.records.length).toBe(before);
  });

  it('a tombstoned stream: reads and appends are refused as deleted', async () => {
    const id = await withEvents(1);
    await client.tombstoneStream(id);
    const read = await collect(store.readStream(id)).catch((e: unknown) => e);
    expect(refusal(read)).toBe(EventStoreRefusal.streamDeleted);
    const append = await store
      .append(id, [docketEvent('Again')], { expectedRevision: 'any' })
      .catch((e: unknown) => e);
    expect(refusal(append)).toBe(EventStoreRefusal.streamDeleted);
  });

  it('a stream truncated to nothing ($tb past its end) is refused like a deleted one', async () => {
    const id = await withEvents(2);
    await client.setStreamMetadata(id, { truncateBefore: 2 });
    const error = await store
      .append(id, [docketEvent('Again')], { expectedRevision: 'any' })
      .catch((e: unknown) => e);
    expect(refusal(error)).toBe(EventStoreRefusal.streamDeleted);
  });

  it('a stream truncated with a readable tail: appends chain on from the tail', async () => {
    const id = await withEvents(4);
    await client.setStreamMetadata(id, { truncateBefore: 2 });
    const result = await store.append(id, [docketEvent('After')], { expectedRevision: 3 });
    expect(result).toMatchObject({ nextRevision: 4, duplicate: false });
    const visible = await collect(store.readStream(id));
    expect(visible.map((e) => e.revision)).toEqual([2, 3, 4]);
    expect(visible[2]!.metadata.previousHash).toBe(visible[1]!.metadata.hash);
    // What a reader of the whole stream sees: a chain that does not start at GENESIS.
    expect(visible[0]!.metadata.previousHash).not.toBe(GENESIS_HASH);
  });
});
