/**
 * Timers (issue 5), figures only:
 * 1. Lateness: N cases (default 10,000) opened under a policy whose target is 60 s on the 24×7
 *    calendar, so every deadline falls in the same minute. The scheduler and a backend fire
 *    them through the real check command on an SQLite store (synchronous=FULL). Reports the
 *    firing instant minus the due instant (p50/p99/max), missed and duplicated checks, for the
 *    in-process backend and for BullMQ (when Redis answers).
 * 2. Scheduling cost: the scheduler following a log of 100,000 case events from position 0
 *    (timer operations per second it sends to the backend), beside raw BullMQ addBulk of the
 *    same jobs in the same run.
 * BENCH_CASES and BENCH_EVENTS scale the two parts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BullmqTimerBackend } from '../src/adapters/bullmqTimerBackend.js';
import { MemoryTimerSchedule } from '../src/adapters/memoryTimerSchedule.js';
import { SqliteEventStore } from '../src/adapters/sqliteEventStore.js';
import { systemClock } from '../src/adapters/systemClock.js';
import { createDocketServices } from '../src/application/docketServices.js';
import { InProcessTimerBackend } from '../src/adapters/inProcessTimerBackend.js';
import { timerId, type TimerBackend, type TimerChanges } from '../src/application/timerBackend.js';
import { timerDispatcher } from '../src/application/timerDispatcher.js';
import { TimerScheduler } from '../src/application/timerScheduler.js';
import type { CaseTimer } from '../src/domain/case/caseTimers.js';
import { defaultPolicyDocument } from '../src/domain/policy/defaultPolicy.js';
import { parsePolicy, type Policy } from '../src/domain/policy/policy.js';
import { parsed } from '../test/specs/caseCommands.js';

const CASES = Number(process.env['BENCH_CASES'] ?? 10_000);
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const dir = mkdtempSync(join(tmpdir(), 'docket-bench-timers-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const policyWith = (target: object): Policy => {
  const doc = structuredClone(defaultPolicyDocument) as typeof defaultPolicyDocument & {
    version: string;
  };
  doc.version = `bench-${randomUUID()}`;
  const b = doc.offerings['21vianet']!.lines['technical']!.severities.B!;
  b.responseTarget = target;
  b.calendar = '24x7';
  const parsed = parsePolicy(doc);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
};

const setup = async (file: string, policy: Policy, synchronous: 'full' | 'normal') => {
  const store = new SqliteEventStore({ path: join(dir, file), synchronous });
  const created = await createDocketServices(store, systemClock, policy);
  if (!created.ok) throw created.error;
  const services = created.value;
  await services.tenants.register(
    { role: 'admin', id: 'root' },
    { id: 'contoso', offering: '21vianet', advancedAgreement: true },
  );
  return { store, services };
};

const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
const li = { role: 'agent', id: 'li' } as const;
const openInput = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 't',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};

/** Runs `count` commands with 64 in flight (the group commit batches them). */
const inParallel = async (count: number, command: (i: number) => Promise<unknown>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < count) await command(next++);
    }),
  );
};

const redisUp = async () => {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
};

const lateness = async (name: string, backendOf: () => TimerBackend) => {
  const { store, services } = await setup(
    `lateness-${name}.db`,
    policyWith({ seconds: 60 }),
    'full',
  );
  const late: number[] = [];
  const firings = new Map<string, number>();
  const dispatch = timerDispatcher(services.commands, systemClock);
  const scheduler = new TimerScheduler({
    store: services.store,
    schedule: new MemoryTimerSchedule(),
    backend: backendOf(),
    fire: async (timer: CaseTimer) => {
      late.push(Date.now() - timer.dueAt);
      firings.set(timerId(timer), (firings.get(timerId(timer)) ?? 0) + 1);
      await dispatch(timer);
    },
  });
  await scheduler.start();
  const opening = performance.now();
  await inParallel(CASES, (i) =>
    services.commands.handle(
      parsed({ type: 'open', caseId: `c${i}`, actor: ada, input: openInput }),
    ),
  );
  const openedIn = (performance.now() - opening) / 1000;
  const deadline = Date.now() + 60_000 + openedIn * 1000 + 60_000;
  while (firings.size < CASES && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 2_000)); // any second firing would land now
  await scheduler.close();
  let breaches = 0;
  for await (const e of store.readAll()) if (e.type === 'ResponseDeadlineBreached') breaches++;
  await store.close();
  const sorted = [...late].sort((a, b) => a - b);
  const duplicated = [...firings.values()].filter((n) => n > 1).length;
  console.log(
    `lateness ${name}: ${fmt(CASES)} cases opened in ${openedIn.toFixed(1)} s, deadlines 60 s later; ` +
      `fired ${fmt(firings.size)} timers (missed ${fmt(CASES - firings.size)}, fired twice ${duplicated}); ` +
      `breaches recorded ${fmt(breaches)}; lateness p50 ${pct(sorted, 50)} ms, p99 ${pct(sorted, 99)} ms, max ${sorted.at(-1)} ms`,
  );
};

const schedulingCost = async (
  name: string,
  backendOf: () => TimerBackend,
  log: { path: string; events: number },
) => {
  const store = new SqliteEventStore({ path: log.path });
  const backend = backendOf();
  let ops = 0;
  const counting: TimerBackend = {
    start: (fire) => backend.start(fire),
    apply: (changes: TimerChanges) => {
      ops += changes.add.length + changes.remove.length;
      return backend.apply(changes);
    },
    reconcile: (t) => backend.reconcile(t),
    held: () => backend.held(),
    close: () => backend.close(),
  };
  let head = 0n;
  for await (const e of store.readAll({ direction: 'backwards', maxCount: 1 })) head = e.position;
  const scheduler = new TimerScheduler({
    store,
    schedule: new MemoryTimerSchedule(),
    backend: counting,
    fire: () => Promise.resolve(),
  });
  const start = performance.now();
  await scheduler.start();
  await scheduler.caughtUp(head);
  const seconds = (performance.now() - start) / 1000;
  const pending = scheduler.pending();
  await scheduler.close();
  await store.close();
  console.log(
    `scheduling ${name}: followed ${fmt(log.events)} events in ${seconds.toFixed(2)} s (${fmt(log.events / seconds)} events/s), ` +
      `${fmt(ops)} timer operations reached the backend (${fmt(ops / seconds)} ops/s; a timer added and ` +
      `superseded within one batch never does), ${fmt(pending.length)} pending at the end`,
  );
  return { pending, opsPerSecond: ops / seconds };
};

/** A log of EVENTS case events: open, requestInfo, customerReply, resolve per case. */
const buildLog = async () => {
  const { store, services } = await setup('log.db', policyWith({ hours: 4 }), 'normal');
  const cases = Math.ceil(EVENTS / 4);
  const start = performance.now();
  await inParallel(cases, async (i) => {
    const caseId = `c${i}`;
    await services.commands.handle(parsed({ type: 'open', caseId, actor: ada, input: openInput }));
    await services.commands.handle(
      parsed({
        type: 'requestInfo',
        caseId,
        actor: li,
        input: { message: 'logs?' },
      }),
    );
    await services.commands.handle(
      parsed({
        type: 'customerReply',
        caseId,
        actor: ada,
        input: { message: 'here' },
      }),
    );
    await services.commands.handle(
      parsed({
        type: 'resolve',
        caseId,
        actor: li,
        input: { reason: 'fixed', summary: 's' },
      }),
    );
  });
  let events = 0;
  for await (const e of store.readAll()) if (e.streamId.startsWith('case-')) events++;
  await store.close();
  console.log(
    `(built a log of ${fmt(events)} case events in ${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );
  return { path: join(dir, 'log.db'), events, services: services };
};

const withRedis = await redisUp();
const prefixes: string[] = [];
const bullmq = () => {
  const prefix = `docket-bench-${randomUUID()}`;
  prefixes.push(prefix);
  return new BullmqTimerBackend({ redisUrl: REDIS_URL, prefix, onError: () => undefined });
};

await lateness('in-process', () => new InProcessTimerBackend({ clock: systemClock }));
if (withRedis) await lateness('BullMQ', bullmq);
else console.log(`lateness BullMQ: skipped, no Redis at ${REDIS_URL}`);

const log = await buildLog();
await schedulingCost('in-process', () => new InProcessTimerBackend({ clock: systemClock }), log);
if (withRedis) {
  const { pending, opsPerSecond } = await schedulingCost('BullMQ', bullmq, log);
  const queue = new Queue('raw', {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix: `docket-bench-raw-${randomUUID()}`,
  });
  const start = performance.now();
  for (let i = 0; i < pending.length; i += 1_000)
    await queue.addBulk(
      pending.slice(i, i + 1_000).map((t) => ({
        name: t.kind,
        data: t,
        opts: { jobId: timerId(t), delay: Math.max(0, t.dueAt - Date.now()) },
      })),
    );
  const rate = pending.length / ((performance.now() - start) / 1000);
  await queue.obliterate({ force: true });
  await queue.close();
  console.log(
    `raw BullMQ addBulk of the same ${fmt(pending.length)} jobs: ${fmt(rate)} jobs/s (scheduler ops/s ÷ raw = ${(opsPerSecond / rate).toFixed(2)})`,
  );
}
// Leave nothing behind in a Redis others share.
for (const prefix of prefixes) {
  const queue = new Queue('docket-timers', {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix,
  });
  await queue.obliterate({ force: true });
  await queue.close();
}
rmSync(dir, { recursive: true, force: true });
process.exit(0);
