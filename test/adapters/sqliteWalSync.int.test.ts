import type * as NodeFs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecordedEvent } from '../../src/application/eventStore.js';
import { note } from './fixtures/noteEvent.js';

/**
 * `synchronous: 'full'` without blocking the event loop: SQLite commits with NORMAL and the
 * store fdatasyncs the WAL before any append of the batch resolves. The file system calls are
 * observed (and, for the failure case, made to fail) through a wrapper around node:fs.
 */
const syncs = vi.hoisted(() => ({
  log: [] as string[],
  fail: undefined as NodeJS.ErrnoException | undefined,
}));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>();
  return {
    ...fs,
    fdatasync: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      syncs.log.push('sync started');
      const failure = syncs.fail;
      if (failure !== undefined) {
        setImmediate(() => {
          syncs.log.push('sync done');
          callback(failure);
        });
        return;
      }
      fs.fdatasync(fd, (error) => {
        syncs.log.push('sync done');
        callback(error);
      });
    },
    fdatasyncSync: (fd: number) => {
      syncs.log.push('sync started');
      if (syncs.fail !== undefined) throw syncs.fail;
      fs.fdatasyncSync(fd);
      syncs.log.push('sync done');
    },
  };
});

const { SqliteEventStore } = await import('../../src/adapters/sqliteEventStore.js');

describe('SqliteEventStore: the WAL is on disk before an append resolves', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'docket-walsync-'));
    syncs.log.length = 0;
    syncs.fail = undefined;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a lone append is synced in place; concurrent ones share syncs off the main thread', async () => {
    const store = new SqliteEventStore({ path: join(dir, 'events.db') });
    await store.append('case-1', [note('a')], { expectedRevision: 'no-stream' });
    expect(syncs.log).toEqual(['sync started', 'sync done']);

    syncs.log.length = 0;
    const appends = Array.from({ length: 40 }, (_, i) =>
      store
        .append(`case-${i + 2}`, [note('b')], { expectedRevision: 'no-stream' })
        .then(() => syncs.log.push('resolved')),
    );
    await Promise.all(appends);
    // Each resolution follows a completed sync; there are fewer syncs than appends.
    expect(syncs.log[0]).toBe('sync started');
    let synced = false;
    for (const entry of syncs.log) {
      if (entry === 'sync done') synced = true;
      if (entry === 'resolved') expect(synced).toBe(true);
    }
    const count = syncs.log.filter((e) => e === 'sync started').length;
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(40);
    await store.close();
  });

  it('a subscriber in this process never sees an event before its append resolved', async () => {
    const store = new SqliteEventStore({ path: join(dir, 'events.db'), pollMs: 1 });
    const resolved = new Set<string>();
    const seen: RecordedEvent[] = [];
    const early: string[] = [];
    const subscription = store.subscribe();
    const reading = (async () => {
      for await (const event of subscription) {
        if (!resolved.has(event.streamId)) early.push(event.streamId);
        seen.push(event);
        if (seen.length === 200) return;
      }
    })();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store
          .append(`case-${i}`, [note('x')], { expectedRevision: 'no-stream' })
          .then(() => resolved.add(`case-${i}`)),
      ),
    );
    await reading;
    expect(early).toEqual([]);
    expect(seen).toHaveLength(200);
    await subscription.close();
    await store.close();
  });

  it('a failed sync fails the appends waiting for it and every append after it', async () => {
    const store = new SqliteEventStore({ path: join(dir, 'events.db') });
    syncs.fail = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        store.append(`case-${i}`, [note('x')], { expectedRevision: 'no-stream' }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('rejected'));
    syncs.fail = undefined;
    await expect(
      store.append('case-late', [note('y')], { expectedRevision: 'no-stream' }),
    ).rejects.toThrow(/EIO/);
    await store.close();
  });

  it('synchronous: normal never syncs', async () => {
    const store = new SqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.append(`case-${i}`, [note('x')], { expectedRevision: 'no-stream' }),
      ),
    );
    expect(syncs.log).toEqual([]);
    await store.close();
  });
});
