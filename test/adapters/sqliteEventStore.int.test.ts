import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import { canonicalJson, eventHash } from '../../src/application/eventHash.js';
import {
  GENESIS_HASH,
  WrongExpectedRevisionError,
  type RecordedEvent,
} from '../../src/application/eventStore.js';
import { eventStoreContract } from '../contract/eventStore.contract.js';
import { note } from './fixtures/noteEvent.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'docket-sqlite-'));

eventStoreContract('sqlite', () => {
  const dir = tempDir();
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  return Promise.resolve({
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

const collect = async (source: AsyncIterable<RecordedEvent>) => {
  const out: RecordedEvent[] = [];
  for await (const event of source) out.push(event);
  return out;
};

/** Every stream's revisions run 0, 1, 2, … and each hash chains to the one before. */
const expectIntactChains = (events: readonly RecordedEvent[]) => {
  const streams = new Map<string, RecordedEvent[]>();
  for (const e of events) streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
  for (const [streamId, stream] of streams) {
    let previousHash = GENESIS_HASH;
    stream.forEach((event, revision) => {
      expect(event.revision).toBe(revision);
      const { previousHash: stored, hash, ...metadata } = event.metadata;
      expect(stored).toBe(previousHash);
      const { type, schemaVersion, data, eventId } = event;
      const event_ = { type, schemaVersion, data, metadata };
      expect(hash).toBe(eventHash({ streamId, revision, eventId, event: event_, previousHash }));
      previousHash = hash;
    });
  }
};

describe('SQLite event store', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = tempDir();
    path = join(dir, 'events.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is durable by default: WAL, fsynced before an append resolves; normal on request', async () => {
    const store = new SqliteEventStore({ path });
    expect(store.durability()).toEqual({ journalMode: 'wal', synchronous: 'full' });
    await store.close();
    const relaxed = new SqliteEventStore({ path, synchronous: 'normal' });
    expect(relaxed.durability()).toEqual({ journalMode: 'wal', synchronous: 'normal' });
    await relaxed.close();
  });

  it('delivers its own appends to its subscribers when it does not fsync (normal, :memory:)', async () => {
    for (const store of [
      new SqliteEventStore({ path, synchronous: 'normal' }),
      new SqliteEventStore({ path: ':memory:' }),
    ]) {
      const subscription = store.subscribe();
      try {
        const received: string[] = [];
        const done = (async () => {
          for await (const event of subscription) {
            received.push((event.data as { text: string }).text);
            if (received.length === 2) return;
          }
        })();
        await store.append('case-n', [note('one')], { expectedRevision: 'no-stream' });
        await store.append('case-n', [note('two')], { expectedRevision: 0 });
        await done;
        expect(received).toEqual(['one', 'two']);
      } finally {
        await subscription.close();
        await store.close();
      }
    }
  });

  it('cuts the stream ids into ranges of about equal size for readers side by side', async () => {
    const store = new SqliteEventStore({ path });
    for (let i = 0; i < 30; i++)
      await store.append(`case-s${String(i).padStart(2, '0')}`, [note('x'), note('y')], {
        expectedRevision: 'no-stream',
      });
    const splits = store.streamIdSplits(3);
    expect(splits).toEqual(['case-s10', 'case-s20']);
    expect(store.streamIdSplits(1)).toEqual([]);
    expect(store.streamIdSplits(100)).toHaveLength(29); // never an empty leading range
    // Within a range: the streams from case-s10 up to (not including) case-s25 in three.
    const range = { fromStreamId: 'case-s10', toStreamId: 'case-s25' };
    expect(store.streamIdSplits(3, range)).toEqual(['case-s15', 'case-s20']);
    const first = await collect(store.readByStream({ toStreamId: 'case-s10' }));
    expect(new Set(first.map((e) => e.streamId)).size).toBe(10);
    await store.close();
  });

  it('stores data and metadata as the canonical JSON it hashed, and gives the texts to verifiers', async () => {
    const store = new SqliteEventStore({ path });
    const event = note('x');
    const unordered = { ...event, data: { zeta: 1, alpha: { y: [2, { b: 1, a: 0 }], x: 'é' } } };
    await store.append('case-c1', [unordered], { expectedRevision: 'no-stream' });
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT data, metadata FROM events').get() as Record<string, string>;
    db.close();
    expect(row['data']).toBe('{"alpha":{"x":"é","y":[2,{"a":0,"b":1}]},"zeta":1}');
    expect(row['metadata']).toBe(canonicalJson(event.metadata));
    const [read] = await collect(store.readByStream());
    expect(read?.storedJson).toEqual(row);
    expect(read?.data).toEqual(unordered.data);
    expect(read?.metadata.hash).toBe(
      eventHash({
        streamId: 'case-c1',
        revision: 0,
        eventId: read!.eventId,
        event: unordered,
        previousHash: GENESIS_HASH,
      }),
    );
    await store.close();
  });

  it('enforces one writer per revision in the database itself, whatever the caller', () => {
    const store = new SqliteEventStore({ path });
    void store.close();
    const db = new Database(path);
    const insert = db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata,
         command_id, previous_hash, hash) VALUES ('case-x', 0, ?, 'A', 1, '{}', '{}', ?, '', '')`,
    );
    insert.run(randomUUID(), randomUUID());
    expect(() => insert.run(randomUUID(), randomUUID())).toThrow(/UNIQUE constraint failed/);
    db.close();
  });

  it('detects conflicts between two processes (connections) writing to one file', async () => {
    const a = new SqliteEventStore({ path });
    const b = new SqliteEventStore({ path });
    try {
      await a.append('case-shared', [note('a0')], { expectedRevision: 'no-stream' });
      const outcomes = await Promise.allSettled([
        a.append('case-shared', [note('a1')], { expectedRevision: 0 }),
        b.append('case-shared', [note('b1')], { expectedRevision: 0 }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.find((o) => o.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(WrongExpectedRevisionError);
      // The chain continues from whichever connection wrote last.
      await b.append('case-shared', [note('b2')], { expectedRevision: 1 });
      await a.append('case-shared', [note('a3')], { expectedRevision: 2 });
      expectIntactChains(await collect(a.readAll()));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('delivers to a subscriber the events another process appends (polling)', async () => {
    const reader = new SqliteEventStore({ path, pollMs: 20 });
    const writer = new SqliteEventStore({ path });
    const subscription = reader.subscribe();
    try {
      const received: string[] = [];
      const done = (async () => {
        for await (const event of subscription) {
          received.push((event.data as { text: string }).text);
          if (received.length === 3) return;
        }
      })();
      await writer.append('case-p', [note('one')], { expectedRevision: 'no-stream' });
      await writer.append('case-p', [note('two'), note('three')], { expectedRevision: 0 });
      await done;
      expect(received).toEqual(['one', 'two', 'three']);
    } finally {
      await subscription.close();
      await reader.close();
      await writer.close();
    }
  });

  it('groups appends made while a commit is pending into one transaction', async () => {
    const store = new SqliteEventStore({ path });
    const db = new Database(path, { readonly: true });
    try {
      const before = db.pragma('data_version', { simple: true });
      await Promise.all(
        Array.from({ length: 64 }, (_, i) =>
          store.append(`case-g${i}`, [note(`g${i}`)], { expectedRevision: 'no-stream' }),
        ),
      );
      // data_version changes once per commit by another connection: 64 appends, one commit.
      const after = db.pragma('data_version', { simple: true }) as number;
      expect(after - (before as number)).toBe(1);
    } finally {
      db.close();
      await store.close();
    }
  });

  it('refuses a file written by a newer schema, and a closed store refuses appends', async () => {
    const store = new SqliteEventStore({ path });
    await store.close();
    await expect(
      store.append('case-z', [note('late')], { expectedRevision: 'any' }),
    ).rejects.toThrow(/closed/);
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteEventStore({ path })).toThrow(/schema version 99 is newer/);
  });

  it('keeps every acknowledged append when the writer is killed with SIGKILL', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'sqliteAppendLoop.ts'), path],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acknowledged: string[] = [];
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for await (const line of createInterface({ input: child.stdout })) {
      acknowledged.push(line.replace(/^ack /, ''));
      if (acknowledged.length === 400) child.kill('SIGKILL');
    }
    await exited;
    expect(child.signalCode).toBe('SIGKILL');

    const db = new Database(path);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const store = new SqliteEventStore({ path });
    try {
      const events = await collect(store.readAll());
      const recorded = new Set(events.map((e) => e.metadata.commandId));
      expect(acknowledged.filter((id) => !recorded.has(id))).toEqual([]);
      expectIntactChains(events);
    } finally {
      await store.close();
    }
  });
});
