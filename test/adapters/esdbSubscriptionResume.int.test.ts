import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEsdbEventStore } from '../../src/adapters/esdbEventStore.js';
import type { EventStore, RecordedEvent } from '../../src/application/eventStore.js';
import { isEventStoreUnavailable } from '../../src/application/eventStoreFaults.js';
import { docketEvent } from '../support/docketEvents.js';
import { EsdbTestServer } from '../support/esdbTestServer.js';
import { within } from '../specs/within.js';

/**
 * The server dies under a live subscription (#16, fault tests): the subscription ends with
 * EventStoreUnavailableError, and a subscriber that resubscribes after the last event it
 * handled gets everything else, including what was written while it was away, once each.
 */
describe('EventStoreDB adapter: a subscription across a server restart', () => {
  let server: EsdbTestServer;
  let store: EventStore;

  beforeAll(async () => {
    server = await EsdbTestServer.start();
    store = openEsdbEventStore({ connectionString: server.connectionString });
  });
  afterAll(async () => {
    await store.close();
    await server.stop();
  });

  it('resumes from its checkpoint: nothing missed, nothing twice', async () => {
    const id = `case-${randomUUID()}`;
    const mine = (e: RecordedEvent) => e.streamId === id;
    let revision = -1;
    const write = async (...types: string[]) => {
      const events = types.map((type) => docketEvent(type));
      const expectedRevision = revision < 0 ? 'no-stream' : revision;
      revision = (await store.append(id, events, { expectedRevision })).nextRevision;
    };
    await write('H1', 'H2', 'H3', 'H4', 'H5');

    const handled: RecordedEvent[] = [];
    const first = store.subscribe();
    const ended = await within(
      (async () => {
        try {
          for await (const event of first) {
            if (!mine(event)) continue;
            handled.push(event);
            if (handled.length === 3) server.dropConnections();
          }
          return 'ended';
        } catch (error) {
          return error;
        }
      })(),
      10_000,
      'the first subscription to fail',
    );
    await first.close();
    expect(isEventStoreUnavailable(ended)).toBe(true);
    const checkpoint = handled.at(-1)!.position;

    await server.whenListening();
    await write('W1', 'W2'); // while no one is subscribed

    const second = store.subscribe({ after: checkpoint });
    try {
      await within(
        (async () => {
          for await (const event of second) {
            if (mine(event) && handled.push(event) >= 7) return;
          }
        })(),
        10_000,
        'the second subscription to deliver the rest',
      );
    } finally {
      await second.close();
    }
    expect(handled.map((e) => e.type)).toEqual(['H1', 'H2', 'H3', 'H4', 'H5', 'W1', 'W2']);
    expect(handled.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
