import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseEventUpcasters } from '../../src/application/caseEventUpcasters.js';
import { eventHash } from '../../src/application/eventHash.js';
import {
  GENESIS_HASH,
  InvalidStreamIdError,
  WrongExpectedRevisionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../src/application/eventStore.js';
import { UpcasterRegistry, withUpcasting } from '../../src/application/upcasting.js';

export interface EventStoreFixture {
  readonly store: EventStore;
  /** Closes the store and removes what the fixture created. */
  cleanup(): Promise<void>;
}

const collect = async (source: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  for await (const event of source) out.push(event);
  return out;
};

const newEvent = (
  type: string,
  data: unknown,
  commandId: string = randomUUID(),
  schemaVersion = 1,
): NewEvent => ({
  type,
  schemaVersion,
  data,
  metadata: {
    commandId,
    causationId: commandId,
    correlationId: commandId,
    actor: { role: 'agent', id: 'li' },
    occurredAt: '2026-11-23T02:00:00.000Z',
    caseId: 'c1',
    policyVersion: 'seed-2026.1',
    machineVersion: 1,
  },
});

/** Takes the next `count` events of a subscription, failing if they do not come in time. */
const take = async (
  source: AsyncIterable<RecordedEvent>,
  count: number,
  accept: (e: RecordedEvent) => boolean,
) => {
  const out: RecordedEvent[] = [];
  if (count === 0) return out;
  const iterator = source[Symbol.asyncIterator]();
  const deadline = setTimeout(() => void iterator.return?.(), 20_000);
  try {
    while (out.length < count) {
      const next = await iterator.next();
      if (next.done === true) break;
      if (accept(next.value)) out.push(next.value);
    }
  } finally {
    clearTimeout(deadline);
  }
  return out;
};

/**
 * The event-store contract (issue 3): every adapter must pass it. Streams are unique per test
 * so the suite can run against a shared server (EventStoreDB) without seeing other data.
 */
export const eventStoreContract = (name: string, open: () => Promise<EventStoreFixture>) => {
  describe(`event store contract: ${name}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;
    const stream = () => `case-${randomUUID()}`;

    beforeAll(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    it('appends with revisions from 0 and reads a stream forwards and backwards', async () => {
      const id = stream();
      const first = await store.append(id, [newEvent('A', { n: 0 })], {
        expectedRevision: 'no-stream',
      });
      expect(first).toMatchObject({ nextRevision: 0, duplicate: false });
      const second = await store.append(id, [newEvent('B', { n: 1 }), newEvent('C', { n: 2 })], {
        expectedRevision: 0,
      });
      expect(second.nextRevision).toBe(2);
      expect(second.position).toBeGreaterThan(first.position);

      const forwards = await collect(store.readStream(id));
      expect(forwards.map((e) => [e.revision, e.type, e.data])).toEqual([
        [0, 'A', { n: 0 }],
        [1, 'B', { n: 1 }],
        [2, 'C', { n: 2 }],
      ]);
      expect(forwards.every((e) => e.streamId === id && typeof e.eventId === 'string')).toBe(true);
      expect(forwards[2]!.position).toBe(second.position);
      expect(
        (await collect(store.readStream(id, { direction: 'backwards' }))).map((e) => e.revision),
      ).toEqual([2, 1, 0]);
      expect(
        (await collect(store.readStream(id, { fromRevision: 1 }))).map((e) => e.revision),
      ).toEqual([1, 2]);
      expect(
        (await collect(store.readStream(id, { fromRevision: 1, direction: 'backwards' }))).map(
          (e) => e.revision,
        ),
      ).toEqual([1, 0]);
      expect((await collect(store.readStream(id, { maxCount: 2 }))).map((e) => e.revision)).toEqual(
        [0, 1],
      );
      expect(
        (await collect(store.readStream(id, { direction: 'backwards', maxCount: 1 }))).map(
          (e) => e.revision,
        ),
      ).toEqual([2]);
      expect(await collect(store.readStream(stream()))).toEqual([]);
    });

    it('keeps the envelope: type, schema version, data and metadata', async () => {
      const id = stream();
      const event = newEvent(
        'CaseOpened',
        { caseId: 'c1', nested: { list: [1, 'two', null, true] } },
        'cmd-1',
        3,
      );
      await store.append(id, [event], { expectedRevision: 'no-stream' });
      const [read] = await collect(store.readStream(id));
      expect(read).toMatchObject({
        type: 'CaseOpened',
        schemaVersion: 3,
        data: event.data,
        metadata: event.metadata,
      });
    });

    it('enforces the expected revision with one typed conflict error carrying expected and actual', async () => {
      const id = stream();
      const missing = await store
        .append(id, [newEvent('A', {})], { expectedRevision: 'exists' })
        .catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(WrongExpectedRevisionError);
      expect(missing).toMatchObject({ code: 'conflict', expected: 'exists', actual: -1 });

      await store.append(id, [newEvent('A', {})], { expectedRevision: 'no-stream' });
      const again = await store
        .append(id, [newEvent('A', {})], { expectedRevision: 'no-stream' })
        .catch((e: unknown) => e);
      expect(again).toMatchObject({ code: 'conflict', expected: 'no-stream', actual: 0 });
      const stale = await store
        .append(id, [newEvent('A', {})], { expectedRevision: 5 })
        .catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
      expect(stale).toMatchObject({ expected: 5, actual: 0 });

      await store.append(id, [newEvent('B', {})], { expectedRevision: 'exists' });
      await store.append(id, [newEvent('C', {})], { expectedRevision: 'any' });
      await store.append(id, [newEvent('D', {})], { expectedRevision: 2 });
      expect((await collect(store.readStream(id))).map((e) => e.type)).toEqual([
        'A',
        'B',
        'C',
        'D',
      ]);
    });

    it('50 concurrent appenders to one stream: one wins each revision, nothing lost or duplicated', async () => {
      const id = stream();
      const appender = async (worker: number) => {
        for (let attempt = 0; attempt < 500; attempt++) {
          const [last] = await collect(
            store.readStream(id, { direction: 'backwards', maxCount: 1 }),
          );
          try {
            await store.append(id, [newEvent('Appended', { worker })], {
              expectedRevision: last?.revision ?? 'no-stream',
            });
            return attempt;
          } catch (error) {
            if (!(error instanceof WrongExpectedRevisionError)) throw error;
          }
        }
        throw new Error(`worker ${worker} never appended`);
      };
      const attempts = await Promise.all(Array.from({ length: 50 }, (_, i) => appender(i)));
      const events = await collect(store.readStream(id));
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(
        events.map((e) => (e.data as { worker: number }).worker).sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(attempts.some((a) => a > 0)).toBe(true); // there really was contention
    });

    it('a command id the stream already recorded returns the earlier result and appends nothing', async () => {
      const id = stream();
      await store.append(id, [newEvent('A', {})], { expectedRevision: 'no-stream' });
      const command = randomUUID();
      const first = await store.append(
        id,
        [newEvent('B', {}, command), newEvent('C', {}, command)],
        { expectedRevision: 0 },
      );
      // A retry after a timeout: same command, the revision it saw then.
      const retry = await store.append(
        id,
        [newEvent('B', {}, command), newEvent('C', {}, command)],
        { expectedRevision: 0 },
      );
      expect(retry).toEqual({ ...first, duplicate: true });
      const retryAny = await store.append(id, [newEvent('B', {}, command)], {
        expectedRevision: 'any',
      });
      expect(retryAny.duplicate).toBe(true);
      expect((await collect(store.readStream(id))).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      // Later appends do not change what the earlier command's result was.
      await store.append(id, [newEvent('D', {})], { expectedRevision: 2 });
      const late = await store.append(id, [newEvent('B', {}, command)], {
        expectedRevision: 0,
      });
      expect(late).toEqual({ ...first, duplicate: true });
      expect((await collect(store.readStream(id))).map((e) => e.type)).toEqual([
        'A',
        'B',
        'C',
        'D',
      ]);
    });

    it('appends racing in one batch: conflicts are decided one by one, the rest commit', async () => {
      const id = stream();
      await store.append(id, [newEvent('A', {})], { expectedRevision: 'no-stream' });
      // Started together: each expects revision 0, so exactly one of them may win.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.append(id, [newEvent('Racer', { i })], { expectedRevision: 0 }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes.filter((o) => o.status === 'rejected'))
        expect(o.reason).toMatchObject({ code: 'conflict', expected: 0, actual: 1 });
      // ...while appends to other streams and 'any' appends in the same batch all commit.
      const others = await Promise.all([
        store.append(stream(), [newEvent('X', {})], { expectedRevision: 'no-stream' }),
        store.append(id, [newEvent('Any', {})], { expectedRevision: 'any' }),
      ]);
      expect(others[1].nextRevision).toBe(2);
      expect((await collect(store.readStream(id))).map((e) => e.type)).toEqual([
        'A',
        'Racer',
        'Any',
      ]);
    });

    it('reads all streams in append order from a position, forwards and backwards', async () => {
      const [s1, s2] = [stream(), stream()];
      const mine = new Set([s1, s2]);
      const before = await store.append(s1, [newEvent('One', { i: 1 })], {
        expectedRevision: 'no-stream',
      });
      await store.append(s2, [newEvent('Two', { i: 2 })], { expectedRevision: 'no-stream' });
      await store.append(s1, [newEvent('Three', { i: 3 }), newEvent('Four', { i: 4 })], {
        expectedRevision: 0,
      });
      const all = (await collect(store.readAll({ after: before.position - 1n }))).filter((e) =>
        mine.has(e.streamId),
      );
      expect(all.map((e) => e.type)).toEqual(['One', 'Two', 'Three', 'Four']);
      const positions = all.map((e) => e.position);
      expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
      expect(new Set(positions).size).toBe(positions.length);
      const after = (await collect(store.readAll({ after: before.position }))).filter((e) =>
        mine.has(e.streamId),
      );
      expect(after.map((e) => e.type)).toEqual(['Two', 'Three', 'Four']);
      const limited = await collect(store.readAll({ after: before.position - 1n, maxCount: 1 }));
      expect(limited).toHaveLength(1);
      const backwards = (await collect(store.readAll({ direction: 'backwards' }))).filter((e) =>
        mine.has(e.streamId),
      );
      expect(backwards.map((e) => e.type)).toEqual(['Four', 'Three', 'Two', 'One']);
    });

    it('reads stream after stream, ids ascending, each in revision order, every event once', async () => {
      const base = `case-${randomUUID()}`;
      const [a, b, c] = [`${base}-a`, `${base}-b`, `${base}-c`];
      await store.append(b, [newEvent('B0', {})], { expectedRevision: 'no-stream' });
      await store.append(c, [newEvent('C0', {})], { expectedRevision: 'no-stream' });
      // More than a page of a paged reader, so a page ends inside a stream.
      const many = Array.from({ length: 1_100 }, (_, i) => newEvent('B', { i }));
      await store.append(b, many, { expectedRevision: 0 });
      await store.append(a, [newEvent('A0', {}), newEvent('A1', {})], {
        expectedRevision: 'no-stream',
      });

      const all = await collect(store.readByStream());
      const mine = all.filter((e) => e.streamId.startsWith(base));
      expect(mine.map((e) => `${e.streamId.slice(-1)}${e.revision}`)).toEqual([
        'a0',
        'a1',
        ...Array.from({ length: 1_101 }, (_, i) => `b${i}`),
        'c0',
      ]);
      // The whole store: each stream in one run, the runs in ascending id order.
      const runs: string[] = [];
      for (const e of all) if (runs.at(-1) !== e.streamId) runs.push(e.streamId);
      expect(new Set(runs).size).toBe(runs.length);
      expect([...runs].sort()).toEqual(runs);
      // Ranges of stream ids: [from, to).
      const ranged = await collect(store.readByStream({ fromStreamId: b, toStreamId: c }));
      expect(ranged.map((e) => e.streamId)).toEqual(Array(1_101).fill(b));
      const below = await collect(store.readByStream({ toStreamId: b }));
      const above = await collect(store.readByStream({ fromStreamId: b }));
      expect([...below, ...above].map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
      const everything = await collect(store.readAll());
      expect(all).toHaveLength(everything.length);
      if (store.countEvents !== undefined)
        expect(await store.countEvents()).toBe(everything.length);
    });

    it('a subscription delivers history, then live events, in order, once each', async () => {
      const id = stream();
      const start = await store.append(id, [newEvent('H1', {})], { expectedRevision: 'no-stream' });
      await store.append(id, [newEvent('H2', {}), newEvent('H3', {})], { expectedRevision: 0 });
      const subscription = store.subscribe({ after: start.position - 1n });
      try {
        const history = await take(subscription, 3, (e) => e.streamId === id);
        expect(history.map((e) => e.type)).toEqual(['H1', 'H2', 'H3']);
        const live = take(subscription, 2, (e) => e.streamId === id);
        await store.append(id, [newEvent('L1', {})], { expectedRevision: 2 });
        await store.append(id, [newEvent('L2', {})], { expectedRevision: 3 });
        expect((await live).map((e) => [e.type, e.revision])).toEqual([
          ['L1', 3],
          ['L2', 4],
        ]);
      } finally {
        await subscription.close();
      }
      const late = store.subscribe({ after: start.position });
      try {
        expect((await take(late, 4, (e) => e.streamId === id)).map((e) => e.type)).toEqual([
          'H2',
          'H3',
          'L1',
          'L2',
        ]);
      } finally {
        await late.close();
      }
    });

    it('a subscription read a page at a time gives the same events, pages in order, then live ones', async () => {
      const id = stream();
      const start = await store.append(id, [newEvent('H1', {})], { expectedRevision: 'no-stream' });
      // More than one page (1,000) of history for the stores that read pages.
      const history = Array.from({ length: 1_500 }, (_, i) => newEvent(`H${i + 2}`, {}));
      await store.append(id, history, { expectedRevision: 0 });
      const subscription = store.subscribe({ after: start.position - 1n });
      if (subscription.pages === undefined) {
        await subscription.close(); // this store offers events one by one only
        return;
      }
      const pages = subscription.pages()[Symbol.asyncIterator]();
      const seen: RecordedEvent[] = [];
      const pageSizes: number[] = [];
      try {
        while (seen.filter((e) => e.streamId === id).length < 1_501) {
          const next = await pages.next();
          if (next.done === true) break;
          expect(next.value.length).toBeGreaterThan(0);
          pageSizes.push(next.value.length);
          seen.push(...next.value);
        }
        const mine = seen.filter((e) => e.streamId === id);
        expect(mine.map((e) => e.revision)).toEqual(Array.from({ length: 1_501 }, (_, i) => i));
        const positions = seen.map((e) => e.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
        expect(pageSizes.length).toBeGreaterThan(1);
        const live = pages.next();
        await store.append(id, [newEvent('L1', {})], { expectedRevision: 1_500 });
        const page = await live;
        if (page.done === true) throw new Error('the subscription ended');
        const livePage: readonly RecordedEvent[] = page.value;
        expect(livePage.filter((e) => e.streamId === id).map((e) => e.type)).toEqual(['L1']);
      } finally {
        await subscription.close();
      }
    });

    it('chains every event to the previous one with a hash over a canonical form', async () => {
      const id = stream();
      await store.append(id, [newEvent('A', { b: 2, a: 1 })], { expectedRevision: 'no-stream' });
      await store.append(id, [newEvent('B', { text: 'é' }), newEvent('C', {})], {
        expectedRevision: 0,
      });
      const events = await collect(store.readStream(id));
      let previousHash = GENESIS_HASH;
      for (const event of events) {
        const { previousHash: storedPrevious, hash, ...metadata } = event.metadata;
        expect(storedPrevious).toBe(previousHash);
        expect(hash).toBe(
          eventHash({
            streamId: id,
            revision: event.revision,
            eventId: event.eventId,
            event: {
              type: event.type,
              schemaVersion: event.schemaVersion,
              data: event.data,
              metadata,
            },
            previousHash,
          }),
        );
        previousHash = hash;
      }
    });

    it('reads old schema versions through the registered upcasters', async () => {
      const id = stream();
      const upcasting = withUpcasting(store, new UpcasterRegistry(caseEventUpcasters));
      await upcasting.append(
        id,
        [newEvent('CaseResolved', { reason: 'fixed', summary: 'v1 shape' }, randomUUID(), 1)],
        { expectedRevision: 'no-stream' },
      );
      const [read] = await collect(upcasting.readStream(id));
      expect(read).toMatchObject({
        schemaVersion: 2,
        data: { reason: 'fixed', summary: 'v1 shape', autoCloseAt: '2026-11-30T02:00:00.000Z' },
      });
      const [raw] = await collect(store.readStream(id));
      expect(raw).toMatchObject({
        schemaVersion: 1,
        data: { reason: 'fixed', summary: 'v1 shape' },
      });
    });

    it('round-trips unicode and large (100 KB) payloads', async () => {
      const id = stream();
      const unicode = { text: '工单 — Größe ✓ 🚀 \u0000 \u2028 "quoted" \\ back', emoji: '👩🏽‍💻' };
      const large = {
        blob: 'x'.repeat(100 * 1024),
        list: Array.from({ length: 1000 }, (_, i) => ({ i, s: `项目${i}` })),
      };
      await store.append(id, [newEvent('Unicode', unicode), newEvent('Large', large)], {
        expectedRevision: 'no-stream',
      });
      const [a, b] = await collect(store.readStream(id));
      expect(a!.data).toEqual(unicode);
      expect(b!.data).toEqual(large);
    });

    it('rejects stream names with odd characters with a clear error', async () => {
      for (const bad of [
        '',
        'case c1',
        '$all',
        '$ce-case',
        'case-',
        'case-c1/../x',
        'Case-1',
        'café-1',
        'case-a\nb',
        `case-${'x'.repeat(300)}`,
      ]) {
        const error = await store
          .append(bad, [newEvent('A', {})], { expectedRevision: 'any' })
          .catch((e: unknown) => e);
        expect(error, bad).toBeInstanceOf(InvalidStreamIdError);
        expect((error as Error).message).toMatch(/invalid stream id/);
        await expect(collect(store.readStream(bad))).rejects.toBeInstanceOf(InvalidStreamIdError);
      }
    });
  });
};
