import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEsdbEventStore } from '../../src/adapters/esdbEventStore.js';
import type { EventStore } from '../../src/application/eventStore.js';
import {
  EventStoreRefusal,
  isEventStoreRefused,
  isEventStoreUnavailable,
} from '../../src/application/eventStoreFaults.js';
import { collect, docketEvent } from '../support/docketEvents.js';
import { EsdbTestServer } from '../support/esdbTestServer.js';

/**
 * What the client throws, as the port's faults (#16, defect 5): unreachable, too slow or not
 * the leader → EventStoreUnavailableError (the same call may succeed later); deleted, refused
 * or too large → EventStoreRefusedError; the client's error kept as the cause.
 */
describe('EventStoreDB adapter: the server failing, as typed faults', () => {
  let server: EsdbTestServer;
  let store: EventStore;
  const id = `case-${randomUUID()}`;
  let position = 0n;

  beforeAll(async () => {
    server = await EsdbTestServer.start({ maxAppendSize: 20_000 });
    store = openEsdbEventStore({ connectionString: server.connectionString });
    const result = await store.append(id, [docketEvent('Opened')], {
      expectedRevision: 'no-stream',
    });
    position = result.position;
  });
  afterAll(async () => {
    await store.close();
    await server.stop();
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );
  const append = () => store.append(id, [docketEvent('Next')], { expectedRevision: 'any' });

  it('a server that is down: appends and reads are unavailable, and work again once it is back', async () => {
    server.kill();
    try {
      const appended = await failure(append());
      expect(isEventStoreUnavailable(appended)).toBe(true);
      expect((appended as Error).cause).toBeDefined();
      expect(isEventStoreUnavailable(await failure(collect(store.readStream(id))))).toBe(true);
      expect(isEventStoreUnavailable(await failure(collect(store.readAll())))).toBe(true);
    } finally {
      await server.restart();
    }
    expect(await append()).toMatchObject({ duplicate: false });
  });

  it('a follower answering NotLeader: unavailable, and the next call goes to the leader it names', async () => {
    server.faults.inject('read', { kind: 'not-leader' });
    expect(isEventStoreUnavailable(await failure(collect(store.readStream(id))))).toBe(true);
    expect((await collect(store.readStream(id))).length).toBeGreaterThan(0);
  });

  it('an append the server gives up on (deadline) is unavailable', async () => {
    server.faults.inject('append', { kind: 'deadline-exceeded' });
    expect(isEventStoreUnavailable(await failure(append()))).toBe(true);
  });

  it('access denied and an append over the maximum size are refusals, with their reason', async () => {
    server.faults.inject('read', { kind: 'access-denied' });
    const denied = await failure(collect(store.readStream(id)));
    expect(isEventStoreRefused(denied) && denied.reason).toBe(EventStoreRefusal.accessDenied);
    const large = await failure(
      store.append(id, [docketEvent('Large', { blob: 'x'.repeat(30_000) })], {
        expectedRevision: 'any',
      }),
    );
    expect(isEventStoreRefused(large) && large.reason).toBe(EventStoreRefusal.appendTooLarge);
  });

  it('the position probe of readAll({ after }) passes an outage on instead of scanning $all', async () => {
    server.observed.length = 0;
    server.faults.inject('read', { kind: 'unavailable' });
    expect(
      isEventStoreUnavailable(await failure(collect(store.readAll({ after: position })))),
    ).toBe(true);
    expect(server.observed).toHaveLength(1); // the probe, and no backwards scan after it
  });
});
