import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEsdbEventStore } from '../../src/adapters/esdbEventStore.js';
import type { EventStore } from '../../src/application/eventStore.js';
import { collect, docketEvent } from '../support/docketEvents.js';
import { EsdbTestServer } from '../support/esdbTestServer.js';

/**
 * What an append reads before it writes (#16, defects 2 and 6), as the test server sees the
 * real client's calls: bounded by the command, not the stream; from the leader; and the
 * append's position taken from the server's answer, without a read back.
 */
describe('EventStoreDB adapter: the reads behind an append', () => {
  let server: EsdbTestServer;
  let store: EventStore;
  const id = `directory-${randomUUID()}`;
  let revision = -1;

  beforeAll(async () => {
    server = await EsdbTestServer.start();
    store = openEsdbEventStore({ connectionString: server.connectionString });
    // A long stream, as a directory stream grows: 2,000 events in 20 appends.
    for (let batch = 0; batch < 20; batch++) {
      const events = Array.from({ length: 100 }, (_, i) => docketEvent('Registered', { i }));
      const expectedRevision = revision < 0 ? 'no-stream' : revision;
      revision = (await store.append(id, events, { expectedRevision })).nextRevision;
    }
  });
  afterAll(async () => {
    await store.close();
    await server.stop();
  });

  const appendObserved = async (expectedRevision: number, commandId = randomUUID()) => {
    server.observed.length = 0;
    const outcome = await store
      .append(id, [docketEvent('A', {}, commandId), docketEvent('B', {}, commandId)], {
        expectedRevision,
      })
      .catch((error: unknown) => error);
    return { outcome, reads: [...server.observed] };
  };

  it('reads one event of a 2,000-event stream for an append at its revision, from the leader', async () => {
    const { outcome, reads } = await appendObserved(revision);
    expect(outcome).toMatchObject({ nextRevision: revision + 2, duplicate: false });
    expect(reads).toEqual([{ stream: id, subscription: false, requiresLeader: true, records: 1 }]);
    const stored = await collect(store.readStream(id, { fromRevision: revision + 1 }));
    // The position is the server's answer: the last event's, as a read gives it.
    expect((outcome as { position: bigint }).position).toBe(stored.at(-1)!.position);
    revision += 2;
  });

  it('recognises a retry from the events after the expected revision only', async () => {
    const command = randomUUID();
    const first = await appendObserved(revision, command);
    const retry = await appendObserved(revision, command);
    expect(retry.outcome).toEqual({ ...(first.outcome as object), duplicate: true });
    // The event at the expected revision and the command's two (the stream ends there).
    expect(retry.reads.map((r) => r.records)).toEqual([3]);
    revision += 2;
  });

  it('refuses a stale expectation after reading at most a window past it, plus the last event', async () => {
    const { outcome, reads } = await appendObserved(10);
    expect(outcome).toMatchObject({ code: 'conflict', expected: 10, actual: revision });
    // The window (64 events) plus what the server wrote ahead before the cancel reached it.
    const records = reads.reduce((sum, r) => sum + r.records, 0);
    expect(records).toBeLessThan(200);
    expect(reads.every((r) => r.requiresLeader)).toBe(true);
  });
});
