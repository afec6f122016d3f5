/**
 * `docket audit verify --all` (issue 7): verifying a store of BENCH_EVENTS events (default
 * 1,000,000 real case events) through the port — hash chains recomputed, every case replayed
 * through the machine — beside the raw read-and-parse rate of the same rows in the same run.
 * Target ≥ 100,000 events/s with memory flat. Figures only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../src/adapters/sqliteEventStore.js';
import { verifyStore } from '../src/application/auditVerifier.js';
import { caseEventUpcasters } from '../src/application/caseEventUpcasters.js';
import { createDocketServices } from '../src/application/docketServices.js';
import { UpcasterRegistry } from '../src/application/upcasting.js';
import { verifyInThreads } from '../src/cli/verifyThreads.js';
import { VirtualClock } from '../src/domain/clock.js';
import { defaultPolicy } from '../src/domain/policy/defaultPolicy.js';
import { parsed } from '../test/specs/caseCommands.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'docket-bench-audit-'));
const path = join(dir, 'docket.db');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (n: number) => (n / 1024 / 1024).toFixed(0);
const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

// A log of real cases: open, assign, requestInfo, customerReply, respond, resolve, survey, close… (8 events).
{
  const store = new SqliteEventStore({ path, synchronous: 'normal' });
  const clock = new VirtualClock(Date.parse('2026-11-02T01:00:00Z'));
  const created = await createDocketServices(store, clock, defaultPolicy);
  if (!created.ok) throw created.error;
  const { tenants, commands } = created.value;
  await tenants.register(
    { role: 'admin', id: 'root' },
    { id: 'contoso', offering: '21vianet', advancedAgreement: true },
  );
  const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
  const li = { role: 'agent', id: 'li' } as const;
  const input = {
    line: 'technical',
    severity: 'B',
    category: 'sso',
    title: 't',
    contact: { name: 'A', email: 'a@b.co' },
  };
  const cases = Math.ceil(EVENTS / 7);
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < cases) {
        const caseId = `c${next++}`;
        for (const [type, actor, i] of [
          ['open', ada, input],
          ['assign', li, { agent: 'li' }],
          ['requestInfo', li, { message: 'logs?' }],
          ['customerReply', ada, { message: 'here' }],
          ['respond', li, { message: 'fixed' }],
          ['resolve', li, { reason: 'fixed', summary: 's' }],
          ['submitSurvey', ada, { rating: 5 }],
        ] as const) {
          const result = await commands.handle(parsed({ type, caseId, actor, input: i }));
          if (!result.ok) throw result.error;
        }
      }
    }),
  );
  await store.close();
  console.log(
    `(built ${fmt(cases)} cases, ${fmt(cases * 7)} events, in ${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );
}

const rawRate = (() => {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare('SELECT data, metadata FROM events ORDER BY position')
    .raw()
    .iterate() as IterableIterator<[string, string]>;
  let count = 0;
  const start = performance.now();
  for (const [data, metadata] of rows) {
    JSON.parse(data);
    JSON.parse(metadata);
    count++;
  }
  db.close();
  return { count, rate: count / ((performance.now() - start) / 1000) };
})();
console.log(
  `raw better-sqlite3 read + JSON.parse of every row: ${fmt(rawRate.rate)} events/s (${fmt(rawRate.count)} rows)`,
);

const store = new SqliteEventStore({ path });
const before = heap();
let maxHeap = before;
let samples = 0;
const start = performance.now();
const result = await verifyStore(
  store,
  new UpcasterRegistry(caseEventUpcasters),
  (b) => console.log(`break: ${b.streamId}@${b.revision} ${b.kind}`),
  () => {
    if (++samples % 20 === 0) maxHeap = Math.max(maxHeap, heap());
  },
);
const seconds = (performance.now() - start) / 1000;
await store.close();
const rate = result.events / seconds;
console.log(
  `audit verify --all, one thread: ${fmt(result.events)} events in ${fmt(result.streams)} streams in ${seconds.toFixed(1)} s: ${fmt(rate)} events/s ` +
    `(ratio ${(rate / rawRate.rate).toFixed(2)} of raw; target ≥ 100,000 events/s); breaks ${result.breaks}; ` +
    `retained heap ${mib(before)} MiB before, at most ${mib(maxHeap)} MiB during`,
);
// What `docket audit verify --all` runs on SQLite: ranges of streams in threads side by side.
{
  const jobs = availableParallelism();
  const opened = new SqliteEventStore({ path });
  const splits = opened.streamIdSplits(jobs);
  // The threads' heaps are not this one's: watch the whole process (resident set) instead.
  const rssBefore = process.memoryUsage.rss();
  let rssMax = rssBefore;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 50);
  const start = performance.now();
  const threaded = await verifyInThreads(
    path,
    splits,
    (b) => console.log(`break: ${b.streamId}@${b.revision} ${b.kind}`),
    () => undefined,
  );
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  await opened.close();
  const rate = threaded.events / seconds;
  console.log(
    `audit verify --all in ${jobs} threads (docket audit verify's default here): ${fmt(threaded.events)} events in ${seconds.toFixed(1)} s: ` +
      `${fmt(rate)} events/s (ratio ${(rate / rawRate.rate).toFixed(2)} of raw; target ≥ 100,000 events/s); breaks ${threaded.breaks}; ` +
      `process resident set ${mib(rssBefore)} MiB before, at most ${mib(rssMax)} MiB during`,
  );
}
if (process.env['BENCH_KEEP'] === undefined) rmSync(dir, { recursive: true, force: true });
else console.log(`(kept ${path})`);
