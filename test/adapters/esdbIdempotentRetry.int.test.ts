import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEsdbEventStore } from '../../src/adapters/esdbEventStore.js';
import type { EventStore } from '../../src/application/eventStore.js';
import { isEventStoreUnavailable } from '../../src/application/eventStoreFaults.js';
import { collect, docketEvent } from '../support/docketEvents.js';
import { EsdbTestServer } from '../support/esdbTestServer.js';

/**
 * Appends whose answer is lost (#16, defect 3 and the fault tests): the caller retries the same
 * command with the same expectation, and the store must neither double it nor call it a
 * conflict. The adapter's own check finds a committed append it can read; the server's
 * positional idempotency (same event ids at the same revisions) covers the append that lands
 * only after the retry's read, which deterministic event ids make possible.
 */
describe('EventStoreDB adapter: retrying an append whose answer was lost', () => {
  let server: EsdbTestServer;
  let store: EventStore;

  beforeAll(async () => {
    server = await EsdbTestServer.start();
    // Appends give up after 500 ms (the server answers Timeout at the deadline they carry).
    store = openEsdbEventStore({
      connectionString: `${server.connectionString}&defaultDeadline=500`,
    });
  });
  afterAll(async () => {
    await store.close();
    await server.stop();
  });

  const started = async () => {
    const id = `case-${randomUUID()}`;
    await store.append(id, [docketEvent('Opened')], { expectedRevision: 'no-stream' });
    const command = randomUUID();
    return { id, events: [docketEvent('B', {}, command), docketEvent('C', {}, command)] };
  };
  const types = async (id: string) => (await collect(store.readStream(id))).map((e) => e.type);

  it('a commit that outlived its deadline and lands before the retry commits: one append, no conflict', async () => {
    const { id, events } = await started();
    let releaseFirst!: () => void;
    const firstReleased = new Promise<void>((resolve) => (releaseFirst = resolve));
    server.faults.inject('append', { kind: 'slow-commit', release: () => firstReleased });
    const lost = await store.append(id, events, { expectedRevision: 0 }).catch((e: unknown) => e);
    expect(isEventStoreUnavailable(lost)).toBe(true);
    expect(await types(id)).toEqual(['Opened']); // the retry's read does not see it yet

    // The retry's append arrives; the first commit lands just before the server checks it.
    server.faults.inject('append', {
      kind: 'slow-commit',
      release: () =>
        new Promise<void>((landed) => {
          const stop = server.log.onCommit(() => {
            stop();
            landed();
          });
          releaseFirst();
        }),
    });
    const retry = await store.append(id, events, { expectedRevision: 0 });
    const stored = await collect(store.readStream(id));
    expect(stored.map((e) => e.type)).toEqual(['Opened', 'B', 'C']);
    expect(retry).toEqual({ nextRevision: 2, position: stored[2]!.position, duplicate: false });
  });

  it('the server dies right after committing: the retry is the earlier append, not a second one', async () => {
    const { id, events } = await started();
    server.faults.inject('append', { kind: 'drop-connection', when: 'after-commit' });
    const lost = await store.append(id, events, { expectedRevision: 0 }).catch((e: unknown) => e);
    expect(isEventStoreUnavailable(lost)).toBe(true);
    await server.whenListening();
    const retry = await store.append(id, events, { expectedRevision: 0 });
    const stored = await collect(store.readStream(id));
    expect(stored.map((e) => e.type)).toEqual(['Opened', 'B', 'C']);
    expect(retry).toEqual({ nextRevision: 2, position: stored[2]!.position, duplicate: true });
  });

  it('the server dies before committing: the retry appends, once', async () => {
    const { id, events } = await started();
    server.faults.inject('append', { kind: 'drop-connection', when: 'before-commit' });
    const lost = await store.append(id, events, { expectedRevision: 0 }).catch((e: unknown) => e);
    expect(isEventStoreUnavailable(lost)).toBe(true);
    await server.whenListening();
    expect(await store.append(id, events, { expectedRevision: 0 })).toMatchObject({
      nextRevision: 2,
      duplicate: false,
    });
    expect(await types(id)).toEqual(['Opened', 'B', 'C']);
  });
});
