/**
 * The SQLite event store against raw better-sqlite3 on the same machine, in the same run
 * (issue 3). Figures, not assertions:
 * - raw ceiling: one INSERT per transaction, WAL, synchronous=FULL;
 * - one caller appending one event at a time through the port (target ≥ 0.7× raw);
 * - 64 concurrent callers, one event per append (group commit; target ≥ 4× raw);
 * - reading a 1,000,000-event store through the port vs raw SELECT + JSON.parse of the same
 *   rows (target ≥ 0.4×), with the heap sampled as it goes (it must stay flat).
 * BENCH_EVENTS scales the read test (default 1,000,000).
 *
 * Then the same workloads through the EventStoreDB adapter and the real client against the
 * protocol-level test server (bench/esdbProtocolCost.ts): a protocol-cost column, not a
 * server figure. Smaller workloads (1,000 single appends, 5,000 from 64 callers, a read of
 * BENCH_ESDB_EVENTS more, default 20,000); BENCH_STORES picks the columns (`sqlite,esdb`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../src/adapters/sqliteEventStore.js';
import { esdbProtocolCost } from './esdbProtocolCost.js';
import { rawAppendCeiling } from './rawAppendCeiling.js';
import type { NewEvent } from '../src/application/eventStore.js';

const READ_EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const ESDB_READ_EVENTS = Number(process.env['BENCH_ESDB_EVENTS'] ?? 20_000);
const stores = (process.env['BENCH_STORES'] ?? 'sqlite,esdb').split(',');
const WRITE_EVENTS = 3_000;
const CONCURRENT_EVENTS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'docket-bench-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

const event = (i: number): NewEvent => {
  const commandId = randomUUID();
  return {
    type: 'AgentResponded',
    schemaVersion: 1,
    data: { message: `We are looking into it (${i}).`, respondedAt: '2026-11-23T02:00:00.000Z' },
    metadata: {
      commandId,
      causationId: commandId,
      correlationId: randomUUID(),
      actor: { role: 'agent', id: 'li' },
      occurredAt: '2026-11-23T02:00:00.000Z',
      caseId: `c${i}`,
      policyVersion: 'seed-2026.1',
      machineVersion: 1,
    },
  };
};

if (stores.includes('sqlite')) await sqliteFigures();
if (stores.includes('esdb')) await esdbProtocolCost(event, 1_000, 5_000, ESDB_READ_EVENTS);

rmSync(dir, { recursive: true, force: true });

async function sqliteFigures(): Promise<void> {
  // Raw ceiling: the same rows, one transaction (one fsync) each.
  const rawWriteRate = rawAppendCeiling(join(dir, 'raw-write.db'), WRITE_EVENTS);
  console.log(`raw better-sqlite3, 1 event per transaction (FULL): ${fmt(rawWriteRate)} events/s`);

  const single = new SqliteEventStore({ path: join(dir, 'single.db') });
  {
    const start = performance.now();
    for (let i = 0; i < WRITE_EVENTS; i++)
      await single.append(`case-s${i}`, [event(i)], { expectedRevision: 'no-stream' });
    const rate = WRITE_EVENTS / ((performance.now() - start) / 1000);
    console.log(
      `port, 1 caller, 1 event per append: ${fmt(rate)} events/s (ratio ${(rate / rawWriteRate).toFixed(2)} of raw; target ≥ 0.7)`,
    );
  }
  await single.close();

  const grouped = new SqliteEventStore({ path: join(dir, 'grouped.db') });
  {
    const callers = 64;
    const perCaller = CONCURRENT_EVENTS / callers;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        for (let i = 0; i < perCaller; i++)
          await grouped.append(`case-g${c}`, [event(i)], {
            expectedRevision: i === 0 ? 'no-stream' : i - 1,
          });
      }),
    );
    const rate = (callers * perCaller) / ((performance.now() - start) / 1000);
    console.log(
      `port, 64 concurrent callers, 1 event per append (group commit): ${fmt(rate)} events/s (ratio ${(rate / rawWriteRate).toFixed(2)} of raw; target ≥ 4)`,
    );
  }
  await grouped.close();

  // A store of READ_EVENTS events written through the port (100 per append, 10 per stream).
  const bigPath = join(dir, 'big.db');
  {
    const store = new SqliteEventStore({ path: bigPath, synchronous: 'normal' });
    const start = performance.now();
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < READ_EVENTS; i += 100) {
      const batch = Array.from({ length: Math.min(100, READ_EVENTS - i) }, (_, k) => event(i + k));
      pending.push(store.append(`case-b${i}`, batch, { expectedRevision: 'no-stream' }));
      if (pending.length === 64) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await store.close();
    console.log(
      `(built a ${fmt(READ_EVENTS)}-event store through the port in ${((performance.now() - start) / 1000).toFixed(1)} s)`,
    );
  }

  /** Retained heap: collect first (run.ts starts benchmarks with --expose-gc). */
  const sampleHeap = () => {
    globalThis.gc?.();
    return process.memoryUsage().heapUsed;
  };
  globalThis.gc?.();

  const rawReadRate = (() => {
    const db = new Database(bigPath, { readonly: true });
    const rows = db
      .prepare('SELECT position, stream_id, revision, data, metadata FROM events ORDER BY position')
      .raw()
      .iterate() as IterableIterator<[number, string, number, string, string]>;
    let count = 0;
    const start = performance.now();
    for (const row of rows) {
      JSON.parse(row[3]);
      JSON.parse(row[4]);
      count++;
    }
    const rate = count / ((performance.now() - start) / 1000);
    db.close();
    return rate;
  })();
  console.log(`raw better-sqlite3 read + JSON.parse of every row: ${fmt(rawReadRate)} events/s`);

  globalThis.gc?.();
  {
    const store = new SqliteEventStore({ path: bigPath });
    const heapBefore = sampleHeap();
    let heapMax = heapBefore;
    let count = 0;
    const start = performance.now();
    for await (const recorded of store.readAll()) {
      if (recorded.revision < 0) throw new Error('unreachable');
      if (++count % 100_000 === 0) heapMax = Math.max(heapMax, sampleHeap());
    }
    const rate = count / ((performance.now() - start) / 1000);
    await store.close();
    console.log(
      `port readAll of ${fmt(count)} events: ${fmt(rate)} events/s (ratio ${(rate / rawReadRate).toFixed(2)} of raw; target ≥ 0.4); retained heap ${mib(heapBefore)} MiB before, at most ${mib(heapMax)} MiB while reading`,
    );
  }
}
