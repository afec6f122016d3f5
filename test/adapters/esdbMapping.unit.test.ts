import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import {
  ErrorType,
  StreamNotFoundError,
  UnknownError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type EventData,
  type ReadPosition,
  type ReadRevision,
} from '@eventstore/db-client';
import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { EsdbEventStore, type EsdbClient } from '../../src/adapters/esdbEventStore.js';
import {
  commitPositionOf,
  fromEsdbMetadata,
  isBeyond,
  DOCKET_STREAM_REGEX,
  isDocketEvent,
  isEsdbStreamNotFound,
  isEsdbWrongExpectedVersion,
  prepareAppend,
  toEsdbExpectedRevision,
  toEsdbMetadata,
  toEsdbPosition,
  toRecordedEvent,
  toWrongExpectedRevision,
  type EsdbRecorded,
} from '../../src/adapters/esdbMapping.js';
import { eventHash } from '../../src/application/eventHash.js';
import {
  GENESIS_HASH,
  WrongExpectedRevisionError,
  type EventMetadata,
  type NewEvent,
  type RecordedEvent,
} from '../../src/application/eventStore.js';
import { eventStoreContract } from '../contract/eventStore.contract.js';

const metadata: EventMetadata = {
  commandId: 'cmd-1',
  causationId: 'cmd-1',
  correlationId: 'corr-1',
  actor: { role: 'agent', id: 'li', tenant: 'contoso' },
  occurredAt: '2026-11-23T02:00:00.000Z',
  caseId: 'c1',
  policyVersion: 'seed-2026.1',
  machineVersion: 1,
};

/** A plain object with the shape of the client's JSONRecordedEvent, as a `$all` read returns it. */
const esdbEvent = (overrides: Partial<EsdbRecorded> = {}): EsdbRecorded & { created: Date } => ({
  streamId: 'case-c1',
  id: '6c2d1a4e-0d0c-4f55-9d3e-3f1f3c1b2a10',
  revision: 4n,
  type: 'CaseOpened',
  isJson: true,
  created: new Date(0),
  data: { caseId: 'c1', title: 'SSO fails' },
  metadata: toEsdbMetadata(metadata, 2, 'a'.repeat(64), 'b'.repeat(64)),
  position: { commit: 18_446n, prepare: 18_446n },
  ...overrides,
});

describe('esdb mapping: recorded events', () => {
  it('maps a client recorded event to the port: revision as number, commit position, envelope', () => {
    expect(toRecordedEvent(esdbEvent())).toEqual({
      eventId: '6c2d1a4e-0d0c-4f55-9d3e-3f1f3c1b2a10',
      streamId: 'case-c1',
      revision: 4,
      position: 18_446n,
      type: 'CaseOpened',
      schemaVersion: 2,
      data: { caseId: 'c1', title: 'SSO fails' },
      metadata: { ...metadata, previousHash: 'a'.repeat(64), hash: 'b'.repeat(64) },
    });
  });

  it('uses the commit position (prepare may differ only in explicit transactions)', () => {
    const event = esdbEvent({ position: { commit: 900n, prepare: 800n } });
    expect(toRecordedEvent(event).position).toBe(900n);
    expect(toEsdbPosition(900n)).toEqual({ commit: 900n, prepare: 900n });
  });

  it('refuses events without a usable position, JSON or Docket metadata', () => {
    expect(() => commitPositionOf(esdbEvent({ position: undefined }))).toThrow(/22\.6/);
    const unset = { commit: 0xffff_ffff_ffff_ffffn, prepare: 0xffff_ffff_ffff_ffffn };
    expect(() => toRecordedEvent(esdbEvent({ position: unset }))).toThrow(/22\.6/);
    expect(() => toRecordedEvent(esdbEvent({ isJson: false }))).toThrow(/not JSON/);
    expect(() => toRecordedEvent(esdbEvent({ metadata: { hello: 1 } }))).toThrow(/no Docket/);
    expect(() => toRecordedEvent(esdbEvent({ metadata: undefined }))).toThrow(/no Docket/);
  });
});

describe('esdb mapping: metadata', () => {
  it('round-trips through JSON: the envelope metadata plus schemaVersion, previousHash, hash', () => {
    const stored = toEsdbMetadata(metadata, 3, GENESIS_HASH, 'f'.repeat(64));
    expect(stored).toEqual({
      ...metadata,
      schemaVersion: 3,
      previousHash: GENESIS_HASH,
      hash: 'f'.repeat(64),
    });
    const wire: unknown = JSON.parse(JSON.stringify(stored));
    expect(fromEsdbMetadata(wire)).toEqual({
      schemaVersion: 3,
      metadata: { ...metadata, previousHash: GENESIS_HASH, hash: 'f'.repeat(64) },
    });
  });

  it('prepares appends: generated ids, revisions after the last, a hash chain from its hash', () => {
    const events: NewEvent[] = [
      { type: 'A', schemaVersion: 1, data: { b: 2, a: 1 }, metadata },
      { type: 'B', schemaVersion: 2, data: ['x', null], metadata: { ...metadata, caseId: 'c2' } },
    ];
    const ids = ['id-0', 'id-1'];
    const prepared = prepareAppend({
      streamId: 'case-c1',
      events,
      lastRevision: 6,
      lastHash: 'c'.repeat(64),
      newId: () => ids.shift()!,
    });
    expect(prepared.map((e) => [e.id, e.type, e.contentType, e.data])).toEqual([
      ['id-0', 'A', 'application/json', { b: 2, a: 1 }],
      ['id-1', 'B', 'application/json', ['x', null]],
    ]);
    let previousHash = 'c'.repeat(64);
    prepared.forEach((data, i) => {
      const event = events[i]!;
      const hash = eventHash({
        streamId: 'case-c1',
        revision: 7 + i,
        eventId: data.id,
        event,
        previousHash,
      });
      expect(data.metadata).toEqual(
        toEsdbMetadata(event.metadata, event.schemaVersion, previousHash, hash),
      );
      previousHash = hash;
    });
  });

  it('hashes what the server will store: values JSON changes are normalised first', () => {
    const [prepared] = prepareAppend({
      streamId: 'case-c1',
      events: [
        { type: 'A', schemaVersion: 1, data: { at: new Date(0), gone: undefined }, metadata },
      ],
      lastRevision: -1,
      lastHash: GENESIS_HASH,
      newId: () => 'id-0',
    });
    expect(prepared!.data).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    const stored = fromEsdbMetadata(JSON.parse(JSON.stringify(prepared!.metadata)));
    const { previousHash, hash, ...rest } = stored.metadata;
    expect(hash).toBe(
      eventHash({
        streamId: 'case-c1',
        revision: 0,
        eventId: 'id-0',
        event: { type: 'A', schemaVersion: 1, data: prepared!.data, metadata: rest },
        previousHash,
      }),
    );
  });
});

describe('esdb mapping: expected revision and conflicts', () => {
  it('expects exactly the revision the adapter read, or no stream', () => {
    expect(toEsdbExpectedRevision(-1)).toBe('no_stream');
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
  });

  it("translates the client's WrongExpectedVersionError into the port's conflict error", () => {
    const behind = new WrongExpectedVersionError(undefined, {
      streamName: 'case-c1',
      expected: 3n,
      current: 5n,
    });
    expect(isEsdbWrongExpectedVersion(behind)).toBe(true);
    const conflict = toWrongExpectedRevision(behind, 'case-c1', 3);
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict).toMatchObject({
      code: 'conflict',
      streamId: 'case-c1',
      expected: 3,
      actual: 5,
    });

    const missing = new WrongExpectedVersionError(undefined, {
      streamName: 'case-c1',
      expected: 'stream_exists',
      current: 'no_stream',
    });
    expect(toWrongExpectedRevision(missing, 'case-c1', 'exists')).toMatchObject({
      expected: 'exists',
      actual: -1,
    });
  });

  it('matches on the error type the client sets, and leaves every other error alone', () => {
    const duck = { type: ErrorType.WRONG_EXPECTED_VERSION, actualVersion: 2n };
    expect(toWrongExpectedRevision(duck, 'case-c1', 'no-stream')).toMatchObject({ actual: 2 });
    expect(toWrongExpectedRevision(new UnknownError(), 'case-c1', 0)).toBeUndefined();
    expect(toWrongExpectedRevision(new Error('boom'), 'case-c1', 0)).toBeUndefined();
    expect(toWrongExpectedRevision(undefined, 'case-c1', 0)).toBeUndefined();
    expect(isEsdbStreamNotFound(new StreamNotFoundError(undefined, 'case-c1'))).toBe(true);
    expect(isEsdbStreamNotFound(new UnknownError())).toBe(false);
  });
});

describe('esdb mapping: $all filters', () => {
  it('"after" is exclusive: forwards strictly greater, backwards strictly smaller', () => {
    expect(isBeyond(100n, 100n)).toBe(false);
    expect(isBeyond(101n, 100n)).toBe(true);
    expect(isBeyond(99n, 100n)).toBe(false);
    expect(isBeyond(100n, 100n, 'backwards')).toBe(false);
    expect(isBeyond(99n, 100n, 'backwards')).toBe(true);
    expect(isBeyond(0n, undefined)).toBe(true);
    expect(isBeyond(0n, undefined, 'backwards')).toBe(true);
  });

  it('keeps Docket streams of the configured prefixes and drops system events', () => {
    const prefixes = ['case-', 'directory-'];
    expect(isDocketEvent({ streamId: 'case-c1', type: 'CaseOpened' }, prefixes)).toBe(true);
    expect(
      isDocketEvent({ streamId: 'directory-tenants', type: 'TenantRegistered' }, prefixes),
    ).toBe(true);
    expect(isDocketEvent({ streamId: 'orders-1', type: 'OrderPlaced' }, prefixes)).toBe(false);
    expect(isDocketEvent({ streamId: 'case-c1', type: '$>' }, prefixes)).toBe(false);
    expect(isDocketEvent({ streamId: '$$case-c1', type: '$metadata' }, prefixes)).toBe(false);
    expect(isDocketEvent({ streamId: '$ce-case', type: 'CaseOpened' }, ['$ce-', 'case-'])).toBe(
      false,
    );
    expect(isDocketEvent({ streamId: 'orders-1', type: 'OrderPlaced' }, ['orders-'])).toBe(true);
  });

  it('without prefixes keeps every stream named like a port stream id, as the other adapters', () => {
    for (const streamId of ['case-c1', 'directory-tenants', 'webhook-w1', 'timer-t1'])
      expect(isDocketEvent({ streamId, type: 'Happened' }, undefined), streamId).toBe(true);
    for (const streamId of ['$$case-c1', '$ce-case', 'Orders-1', 'nodash'])
      expect(isDocketEvent({ streamId, type: 'Happened' }, undefined), streamId).toBe(false);
    expect(isDocketEvent({ streamId: 'case-c1', type: '$metadata' }, undefined)).toBe(false);
    expect(new RegExp(DOCKET_STREAM_REGEX).test('webhook-w1')).toBe(true);
    expect(new RegExp(DOCKET_STREAM_REGEX).test('$$webhook-w1')).toBe(false);
  });
});

type LogRecord = Omit<EsdbRecorded, 'data' | 'metadata' | 'position'> & {
  readonly json: string;
  readonly meta: string;
  readonly position: { commit: bigint; prepare: bigint };
};

/**
 * A scripted stand-in for `EventStoreDBClient`, written from the client's declarations and the
 * server behaviour its own tests show: positions are byte offsets (increasing, not dense), system
 * events sit between Docket events, `$all` reads start *at* a position, subscriptions start
 * *after* it, a position that is not a record's is refused, stream reads of a missing stream fail
 * with StreamNotFoundError, appends check the expected revision atomically and the append result
 * names the *last* event of a multi-event append (as the server's StorageChaser acknowledges the
 * commit at its last prepare). It checks the adapter's logic without gRPC; the protocol-level
 * test server (test/support/esdbTestServer.ts) runs the real client: see docs/eventstoredb.md.
 */
class ScriptedEsdb {
  readonly #log: LogRecord[] = [];
  #end = 0n;
  #appends = 0;
  readonly #live = new Set<(index: number) => void>();
  /** Runs (and is awaited) once before the next append's check: a competing writer. */
  beforeNextAppend: (() => Promise<unknown>) | undefined;
  /** As with `throwOnAppendFailure=false`: a conflict comes back as `success: false`. */
  failuresAsResults = false;

  constructor() {
    this.#write('$epoch-information', '$epoch', {});
  }

  client(): EsdbClient {
    return this as unknown as EsdbClient;
  }

  async appendToStream(
    streamName: string,
    events: EventData[],
    { expectedRevision = 'any' }: { expectedRevision?: AppendExpectedRevision } = {},
  ): Promise<AppendResult> {
    await new Promise((resolve) => setImmediate(resolve));
    const hook = this.beforeNextAppend;
    this.beforeNextAppend = undefined;
    await hook?.();
    const current = this.#revisionOf(streamName);
    const ok =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' && current < 0n) ||
      (expectedRevision === 'stream_exists' && current >= 0n) ||
      expectedRevision === current;
    if (!ok && this.failuresAsResults) {
      return { success: false, nextExpectedRevision: -1n, position: undefined };
    }
    if (!ok) {
      throw new WrongExpectedVersionError(undefined, {
        streamName,
        expected: expectedRevision,
        current: current < 0n ? 'no_stream' : current,
      });
    }
    let last = this.#end;
    for (const event of events) {
      last = this.#end;
      if (event.contentType !== 'application/json') throw new Error('JSON only here');
      this.#write(streamName, event.type, event.data, event.metadata, event.id);
    }
    if (++this.#appends % 3 === 0) this.#write('$stats-127.0.0.1:2113', '$statsCollected', {});
    return {
      success: true,
      nextExpectedRevision: this.#revisionOf(streamName),
      position: { commit: last, prepare: last },
    };
  }

  readStream(
    streamName: string,
    options: { direction?: string; fromRevision?: ReadRevision; maxCount?: number | bigint } = {},
  ) {
    const events = this.#log.filter((r) => r.streamId === streamName);
    if (events.length === 0) return this.#failing(new StreamNotFoundError(undefined, streamName));
    const from = options.fromRevision ?? 'start';
    const backwards = options.direction === 'backwards';
    const selected = backwards
      ? events.filter((r) => from === 'end' || from === 'start' || r.revision <= from).reverse()
      : events.filter((r) => typeof from !== 'bigint' || r.revision >= from);
    return this.#reading(selected.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)));
  }

  readAll(
    options: { fromPosition?: ReadPosition; direction?: string; maxCount?: number | bigint } = {},
  ) {
    const from = options.fromPosition ?? 'start';
    if (!this.#valid(from)) return this.#failing(invalidPosition());
    const backwards = options.direction === 'backwards';
    const selected = backwards
      ? this.#log
          .filter((r) => typeof from !== 'object' || r.position.commit < from.commit)
          .reverse()
      : this.#log.filter((r) => typeof from !== 'object' || r.position.commit >= from.commit);
    const limit = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    return this.#reading(from === 'end' && !backwards ? [] : selected.slice(0, limit));
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: { prefixes?: string[] } } = {}) {
    const from = options.fromPosition ?? 'start';
    const out = new PassThrough({ objectMode: true });
    const subscription = Object.assign(out, {
      unsubscribe: () => {
        this.#live.delete(deliver);
        out.end();
        return Promise.resolve();
      },
    });
    const prefixes = options.filter?.prefixes ?? [''];
    const deliver = (index: number) => {
      const record = this.#log[index]!;
      if (prefixes.some((p) => record.streamId.startsWith(p))) out.write(this.#resolved(record));
    };
    if (!this.#valid(from)) {
      setImmediate(() => out.destroy(invalidPosition()));
      return subscription;
    }
    this.#log.forEach((record, index) => {
      const beyond = from === 'start' || (from !== 'end' && record.position.commit > from.commit);
      if (beyond) deliver(index);
    });
    this.#live.add(deliver);
    return subscription;
  }

  dispose(): Promise<void> {
    this.#live.clear();
    return Promise.resolve();
  }

  #write(streamId: string, type: string, data: unknown, meta?: unknown, id: string = randomUUID()) {
    const json = JSON.stringify(data);
    const metaJson = JSON.stringify(meta ?? null);
    this.#log.push({
      streamId,
      id,
      revision: this.#revisionOf(streamId) + 1n,
      type,
      isJson: true,
      json,
      meta: metaJson,
      position: { commit: this.#end, prepare: this.#end },
    });
    this.#end += BigInt(100 + json.length + metaJson.length); // a record's size in the log
    const index = this.#log.length - 1;
    for (const deliver of [...this.#live]) deliver(index);
  }

  #revisionOf(streamId: string): bigint {
    return this.#log.filter((r) => r.streamId === streamId).at(-1)?.revision ?? -1n;
  }

  #valid(from: ReadPosition): boolean {
    if (typeof from !== 'object') return true;
    return from.commit === this.#end || this.#log.some((r) => r.position.commit === from.commit);
  }

  #resolved(record: LogRecord): AllStreamResolvedEvent {
    const { json, meta, ...rest } = record;
    return {
      event: {
        ...rest,
        isJson: true,
        created: new Date(0),
        data: JSON.parse(json) as Record<string, unknown>,
        metadata: JSON.parse(meta) as Record<string, unknown>,
      },
      commitPosition: record.position.commit,
    };
  }

  #reading(records: LogRecord[]) {
    const read = Readable.from(records.map((r) => this.#resolved(r)));
    return Object.assign(read, { cancel: () => Promise.resolve(void read.destroy()) });
  }

  #failing(error: Error) {
    const read = new Readable({
      objectMode: true,
      read() {
        this.destroy(error);
      },
    });
    return Object.assign(read, { cancel: () => Promise.resolve() });
  }
}

/** The client's error for a `$all` position that is no record's (gRPC INVALID_ARGUMENT). */
const invalidPosition = () =>
  new UnknownError(
    Object.assign(new Error('3 INVALID_ARGUMENT: Invalid position.'), {
      code: status.INVALID_ARGUMENT,
      details: 'Invalid position.',
      metadata: new Metadata(),
    }),
  );

const newEvent = (type: string, commandId = randomUUID()): NewEvent => ({
  type,
  schemaVersion: 1,
  data: { type },
  metadata: { ...metadata, commandId, causationId: commandId },
});

const collect = async (source: AsyncIterable<RecordedEvent>) => {
  const out: RecordedEvent[] = [];
  for await (const event of source) out.push(event);
  return out;
};

eventStoreContract('eventstoredb adapter on a scripted client (not a server)', () => {
  const fake = new ScriptedEsdb();
  const store = new EsdbEventStore(fake.client(), undefined, { pageSize: 3 });
  return Promise.resolve({ store, cleanup: () => store.close() });
});

describe('eventstoredb adapter on a scripted client: races, conflicts, positions', () => {
  const setup = () => {
    const fake = new ScriptedEsdb();
    return { fake, store: new EsdbEventStore(fake.client()) };
  };

  it("re-reads and appends again when 'any' or 'exists' lost the race: the chain stays whole", async () => {
    const { fake, store } = setup();
    await store.append('case-r1', [newEvent('A')], { expectedRevision: 'no-stream' });
    for (const expectedRevision of ['any', 'exists'] as const) {
      fake.beforeNextAppend = () =>
        store.append('case-r1', [newEvent('Rival')], { expectedRevision: 'any' });
      const result = await store.append('case-r1', [newEvent('Mine')], { expectedRevision });
      expect(result.duplicate).toBe(false);
    }
    const events = await collect(store.readStream('case-r1'));
    expect(events.map((e) => e.type).sort()).toEqual(['A', 'Mine', 'Mine', 'Rival', 'Rival']);
    events.forEach((event, i) => {
      expect(event.revision).toBe(i);
      expect(event.metadata.previousHash).toBe(events[i - 1]?.metadata.hash ?? GENESIS_HASH);
    });
  });

  it("translates ESDB's conflict for an exact expectation (with ESDB's actual revision)", async () => {
    const { fake, store } = setup();
    await store.append('case-r2', [newEvent('A')], { expectedRevision: 'no-stream' });
    fake.beforeNextAppend = () =>
      store.append('case-r2', [newEvent('Rival')], { expectedRevision: 'any' });
    const error = await store
      .append('case-r2', [newEvent('Mine')], { expectedRevision: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamId: 'case-r2', expected: 0, actual: 1 });
  });

  it('handles conflicts reported as results (throwOnAppendFailure=false) by reading again', async () => {
    const { fake, store } = setup();
    fake.failuresAsResults = true;
    await store.append('case-r5', [newEvent('A')], { expectedRevision: 'no-stream' });
    fake.beforeNextAppend = () =>
      store.append('case-r5', [newEvent('Rival')], { expectedRevision: 'any' });
    const error = await store
      .append('case-r5', [newEvent('Mine')], { expectedRevision: 0 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WrongExpectedRevisionError', expected: 0, actual: 1 });
    fake.beforeNextAppend = () =>
      store.append('case-r5', [newEvent('Rival')], { expectedRevision: 'any' });
    const mine = await store.append('case-r5', [newEvent('Mine')], { expectedRevision: 'any' });
    expect(mine).toMatchObject({ nextRevision: 3, duplicate: false });
  });

  it('returns the position of the last event of a multi-event append', async () => {
    const { store } = setup();
    const result = await store.append('case-r3', [newEvent('A'), newEvent('B'), newEvent('C')], {
      expectedRevision: 'no-stream',
    });
    const events = await collect(store.readStream('case-r3'));
    expect(result).toEqual({ nextRevision: 2, position: events[2]!.position, duplicate: false });
  });

  it('starts $all reads from a position that is no record by scanning back to one', async () => {
    const { store } = setup();
    const one = await store.append('case-r4', [newEvent('One')], { expectedRevision: 'no-stream' });
    await store.append('case-r4', [newEvent('Two'), newEvent('Three')], { expectedRevision: 0 });
    const types = async (after: bigint, direction?: 'backwards') =>
      (await collect(store.readAll({ after, ...(direction ? { direction } : {}) }))).map(
        (e) => e.type,
      );
    expect(await types(one.position)).toEqual(['Two', 'Three']);
    expect(await types(one.position - 1n)).toEqual(['One', 'Two', 'Three']);
    expect(await types(one.position + 1n)).toEqual(['Two', 'Three']);
    expect(await types(one.position + 1n, 'backwards')).toEqual(['One']);
    expect(await types(one.position, 'backwards')).toEqual([]);
  });
});
