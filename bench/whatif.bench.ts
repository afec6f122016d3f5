/**
 * `docket policy whatif` (issue 19) at scale: BENCH_CASES recorded cases (default 100,000, about
 * 1M events) in an SQLite store, replayed under a candidate policy (every B target doubled) in
 * BENCH_THREADS worker threads (default as the CLI: the cores available, at most 8), beside the
 * plain read of the same events through the port in the same run (target: the replay in ≤ 30 s
 * on the 2-core development machine; memory bounded by the batch, not the range). The log is
 * written as the service writes it: each case's events come from the simulator under the
 * built-in policy (timers included) and are appended with their envelope, the actor of each
 * command and its instant. Figures only; asserts nothing.
 *
 * The threads run the built program (dist/: run `npm run build` first), as the CLI does: from
 * the sources each thread would first load tsx and compile the modules, seconds that the
 * product does not spend.
 *
 * BENCH_HEAP=1 replays in this thread instead, collecting garbage before each heap sample (every
 * 1,000 cases): the live heap, to compare between range sizes. BENCH_DB=<file> replays a store
 * kept by an earlier run (BENCH_KEEP=1) instead of writing one. BENCH_DAYS=<n> replays the cases
 * opened in the first n of the month's 30 days only (a shorter range of the same log).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CASE_MACHINE_VERSION } from '../machines/caseMachine.js';
import { SqliteEventStore } from '../src/adapters/sqliteEventStore.js';
import { caseEventUpcasters } from '../src/application/caseEventUpcasters.js';
import { PolicyLog } from '../src/application/policyLog.js';
import { simulateSteps, type SimulationStep } from '../src/application/simulation.js';
import { UpcasterRegistry, withUpcasting } from '../src/application/upcasting.js';
import { CASE_STREAMS } from '../src/application/whatif/replayCaseStreams.js';
import { runWhatif } from '../src/application/whatif/runWhatif.js';
import type { Actor } from '../src/domain/actor.js';
import { caseStreamId } from '../src/domain/case/stream/caseStreamId.js';
import { currentSchemaVersion, type CaseEventType } from '../src/domain/case/stream/caseEvents.js';
import { VirtualClock } from '../src/domain/clock.js';
import { defaultPolicy } from '../src/domain/policy/defaultPolicy.js';
import type { Tenant } from '../src/domain/policy/tenant.js';
import { candidatePolicy } from '../test/specs/candidatePolicy.js';
import type * as whatifThreadsModule from '../src/cli/whatifThreads.js';

type WhatifThreadsModule = typeof whatifThreadsModule;

const CASES = Number(process.env['BENCH_CASES'] ?? 100_000);
const KEEP = process.env['BENCH_KEEP'] === '1';
const HEAP = process.env['BENCH_HEAP'] === '1';
const THREADS = HEAP
  ? 1
  : Number(process.env['BENCH_THREADS'] ?? Math.min(availableParallelism(), 8));
const REUSE = process.env['BENCH_DB'];
/** Replay the cases opened in the month's first BENCH_DAYS days only (a shorter range). */
const DAYS =
  process.env['BENCH_DAYS'] === undefined ? undefined : Number(process.env['BENCH_DAYS']);
const builtThreads = new URL('../dist/src/cli/whatifThreads.js', import.meta.url);
if (THREADS > 1 && !existsSync(builtThreads)) {
  console.error('whatif bench: dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const MONTH_START = Date.parse('2026-11-01T00:00:00+08:00');
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'docket-bench-whatif-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (n: number) => (n / 1_048_576).toFixed(0);

let seed = 19;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

const tenants: Tenant[] = Array.from({ length: 50 }, (_, i) => ({
  id: `t${i}`,
  offering: '21vianet',
  advancedAgreement: i % 3 === 0,
}));
const lines = ['technical', 'technical', 'technical', 'billing', 'presales'] as const;
const categories = { technical: 'sso', billing: 'renewal', presales: 'plan-comparison' };
const timerEvents = new Set<CaseEventType>([
  'ResponseDeadlineBreached',
  'SeverityDowngraded',
  'CaseClosed',
]);
const customerEvents = new Set<CaseEventType>([
  'CaseOpened',
  'CustomerResponded',
  'CaseWithdrawn',
  'CaseReopened',
  'SurveySubmitted',
]);

/** One case's commands over the month: open, assign, a response or a request, a reply, resolve. */
const caseSteps = (i: number): { tenant: Tenant; steps: SimulationStep[] } => {
  const tenant = tenants[i % tenants.length]!;
  const customer: Actor = { role: 'customer-admin', tenant: tenant.id, id: `admin-${tenant.id}` };
  const agent: Actor = { role: 'agent', id: `agent-${i % 40}` };
  const line = lines[i % lines.length]!;
  const severity = (['A', 'B', 'C'] as const)[Math.floor(random() * 3)]!;
  const openedAt = MONTH_START + Math.floor(random() * 30 * DAY);
  const id = `w${String(i).padStart(6, '0')}`;
  const steps: SimulationStep[] = [];
  const push = (after: number, command: SimulationStep['command'], actor: Actor, input: unknown) =>
    steps.push({ at: openedAt + after, command, case: id, actor, input });
  push(0, 'open', customer, {
    line,
    severity,
    category: categories[line],
    title: `Case ${i}`,
    businessImpact: 'Impact statement',
    contact: { name: 'Admin', email: 'admin@example.com', phone: '+86 21 5555 0100' },
  });
  push(300_000, 'assign', agent, { agent: agent.id });
  const first = 600_000 + Math.floor(random() * 2 * DAY);
  push(first, 'addNote', agent, { text: 'Looking at the logs.' });
  if (random() < 0.4) {
    push(first + 1, 'requestInfo', agent, { message: 'Please send logs.' });
    if (random() < 0.6)
      push(first + Math.floor(random() * 4 * DAY), 'customerReply', customer, { message: 'Here.' });
  } else push(first + 1, 'respond', agent, { message: 'Looking into it.' });
  if (random() < 0.5) push(first + 1_800_000, 'assign', agent, { agent: `agent-${(i + 1) % 40}` });
  push(first + 2_400_000, 'addNote', agent, { text: 'Handed over with the logs.' });
  const last = Math.max(...steps.map((s) => s.at)) - openedAt;
  push(last + 3_600_000, 'respond', agent, { message: 'Fixed, please check.' });
  if (random() < 0.8)
    push(last + 7_200_000, 'resolve', agent, { reason: 'fixed', summary: 'Done.' });
  if (random() < 0.4) push(last + DAY, 'submitSurvey', customer, { rating: 4 });
  return { tenant, steps: steps.sort((a, b) => a.at - b.at) };
};

// The recorded log: every case simulated under the built-in policy, then appended.
const path = REUSE ?? join(dir, 'docket.db');
const UNTIL = MONTH_START + 40 * DAY;
let recordedEvents = 0;
if (REUSE === undefined) {
  const started = performance.now();
  const store = new SqliteEventStore({ path, synchronous: 'normal' });
  const adopted = await new PolicyLog(store, new VirtualClock(MONTH_START)).adopt(defaultPolicy);
  if (!adopted.ok) throw adopted.error;
  for (let i = 0; i < CASES; i++) {
    const { tenant, steps } = caseSteps(i);
    const caseId = steps[0]!.case;
    const output = simulateSteps({ tenants: [tenant], steps, until: UNTIL }, defaultPolicy);
    const events = output.cases[caseId]?.events ?? [];
    const customer = steps[0]!.actor;
    let k = 0;
    await store.append(
      caseStreamId(caseId),
      events.map((e) => {
        const commandId = `${caseId}.${k++}`;
        const byTimer =
          timerEvents.has(e.type) ||
          (e.type === 'CaseResolved' &&
            (e.data as { reason: string }).reason === 'customer-nonresponse');
        const actor = byTimer
          ? { role: 'timer', id: 'scheduler' }
          : customerEvents.has(e.type)
            ? customer
            : (steps.find((s) => s.at === Date.parse(e.at) && s.actor.role === 'agent')?.actor ??
              customer);
        return {
          type: e.type,
          schemaVersion: currentSchemaVersion[e.type],
          data: e.data,
          metadata: {
            commandId,
            causationId: commandId,
            correlationId: commandId,
            actor,
            occurredAt: e.at,
            caseId,
            policyVersion: defaultPolicy.version,
            machineVersion: CASE_MACHINE_VERSION,
          },
        };
      }),
      { expectedRevision: 'no-stream' },
    );
    recordedEvents += events.length;
  }
  await store.close();
  console.log(
    `(built ${fmt(CASES)} cases, ${fmt(recordedEvents)} events, in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

const slowerB = candidatePolicy('bench-slower-b', (doc) => {
  for (const line of Object.values(doc.offerings['21vianet']!.lines)) {
    const b = line.severities.B;
    if (b !== undefined) b.responseTarget = { businessDays: 2 };
  }
});

const raw = new SqliteEventStore({ path, synchronous: 'normal' });
const store = withUpcasting(raw, new UpcasterRegistry(caseEventUpcasters));
globalThis.gc?.();
const heapBase = process.memoryUsage().heapUsed;

// Plain read: the same case streams through the port, upcast, nothing else.
const r0 = performance.now();
let read = 0;
for await (const _ of store.readByStream(CASE_STREAMS)) read++;
const readS = (performance.now() - r0) / 1000;

let peakHeap = 0;
// The threads' heaps are not this one's: watch the whole process (resident set) too.
let peakRss = process.memoryUsage.rss();
const rssBefore = peakRss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const policy = { kind: 'candidate', policy: slowerB } as const;
const { whatifInThreads } = (await import(builtThreads.href)) as WhatifThreadsModule;
const w0 = performance.now();
const filter = DAYS === undefined ? {} : { from: MONTH_START, to: MONTH_START + DAYS * DAY };
const report = await runWhatif(store, {
  policy,
  ...filter,
  ...(THREADS > 1 && {
    replayer: whatifInThreads(path, raw.streamIdSplits(THREADS, CASE_STREAMS), policy, filter),
  }),
  onProgress: () => {
    if (HEAP) globalThis.gc?.();
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - heapBase);
  },
});
const whatifS = (performance.now() - w0) / 1000;
clearInterval(sampler);
globalThis.gc?.();
const reportHeap = process.memoryUsage().heapUsed - heapBase;
await store.close();

console.log(
  `whatif plain read: ${fmt(read)} events in ${readS.toFixed(2)} s (${fmt(read / readS)} events/s)`,
);
console.log(
  `whatif replay: ${fmt(report.overall.before.cases)} cases, ${fmt(read)} events under ${slowerB.version}, ` +
    `${THREADS} thread(s), in ${whatifS.toFixed(2)} s ` +
    `(${fmt(read / whatifS)} events/s; target ≤ 30 s); ratio to the plain read ${(whatifS / readS).toFixed(1)}×; ` +
    `${fmt(report.changed.length)} cases changed, ${fmt(report.refused.count)} refused`,
);
console.log(
  HEAP
    ? `whatif heap: peak ${mib(peakHeap)} MiB live above the store's (collected before each sample, every 1,000 cases); ` +
        `the report held at the end ${mib(reportHeap)} MiB`
    : `whatif memory: this thread's heap peak ${mib(peakHeap)} MiB above the store's (sampled as threads report, ` +
        `not collected first), the report at the end ${mib(reportHeap)} MiB; process resident set ` +
        `${mib(rssBefore)} MiB before, at most ${mib(peakRss)} MiB during (all threads)`,
);
if (!KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(`(kept ${REUSE ?? dir})`);
