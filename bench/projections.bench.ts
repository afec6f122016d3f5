/**
 * Projections (the read-models issue), figures only:
 * 1. Rebuild: the projector (case-queue and sla-compliance, default batch size) replaying a
 *    store of BENCH_EVENTS case events (default 1,000,000) from position 0 into fresh SQLite
 *    read models and into PostgreSQL read models (a fresh schema, dropped afterwards); targets
 *    ≥ 100,000 events/s into SQLite, ≥ 30,000 into PostgreSQL, retained heap flat (gc() and a
 *    heap sample every ~100,000 events from the onApplied hook; the sampling time is left out
 *    of the rate). Beside each, measured just before it in the same run: the raw rate of the
 *    same rows (better-sqlite3 SELECT of every row + JSON.parse of data and metadata) and the
 *    port's subscription alone, and the ratio of the rebuild to each.
 *    The store holds real lifecycles (open, breach, assign, respond / requestInfo, customer
 *    reply, downgrade, notes, severity changes, resolve / withdraw, reopen, survey, close) of
 *    TENANTS tenants (a long tail) registered through the services; the case events are
 *    written as rows directly (shapes checked against the strict event schemas; dummy
 *    hashes), ACTIVE_CASES cases in progress at a time, their events interleaved; OPEN_SHARE
 *    of the cases stop before CaseClosed, ~100,000 open cases at the default size.
 * 2. The agent queue over those open cases: queryQueue(db, 'agent', …) unfiltered, for the
 *    busiest and the quietest line + severity cell, the largest and the smallest tenant,
 *    QUERY_RUNS times each in SQLite and PostgreSQL (as the rebuild left them: no ANALYZE, no
 *    VACUUM): latency p50/p99/max (target p99 ≤ 20 ms), and each query's plan once, with a
 *    verdict (full scan, filter columns not in the index used, sort of the matching rows).
 * 3. Live lag: an SQLite store (synchronous=FULL, the default) + the services on the wall clock
 *    + a live projector into SQLite read models, under the service benchmark's load
 *    (bench/http.bench.ts, in process): 32 clients looping open → respond → requestInfo →
 *    customerReply → resolve for BENCH_SECONDS (default 10, after a 1 s warm-up). Lag of an
 *    event = the instant its batch committed (onApplied) − its occurredAt: p50/p99/max (target
 *    p99 ≤ 200 ms); commands/s beside the same load without a projector.
 * DATABASE_URL picks the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/test);
 * the PostgreSQL parts are skipped when it does not answer.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
} from 'kysely';
import pg from 'pg';
import { caseQueue } from '../projections/caseQueue.js';
import type { ProjectionContext } from '../projections/projection.js';
import { queryQueue, type QueueQuery } from '../projections/queueQueries.js';
import type { ReadModelDatabase } from '../projections/readModelDatabase.js';
import { slaCompliance } from '../projections/slaCompliance.js';
import {
  openPostgresReadModels,
  openSqliteReadModels,
  type ReadModelDb,
} from '../src/adapters/readModelDb.js';
import { SqliteEventStore } from '../src/adapters/sqliteEventStore.js';
import { systemClock } from '../src/adapters/systemClock.js';
import { caseEventUpcasters } from '../src/application/caseEventUpcasters.js';
import { createDocketServices } from '../src/application/docketServices.js';
import type { EventMetadata } from '../src/application/eventStore.js';
import { Projector, type ProjectorOptions } from '../src/application/projector.js';
import { UpcasterRegistry, withUpcasting } from '../src/application/upcasting.js';
import type { Actor } from '../src/domain/actor.js';
import {
  caseEventDataSchemas,
  currentSchemaVersion,
  type CaseEventOf,
  type CaseEventType,
} from '../src/domain/case/stream/caseEvents.js';
import { defaultPolicy } from '../src/domain/policy/defaultPolicy.js';
import { parsed } from '../test/specs/caseCommands.js';
import { ProjectionCheckpointStore } from '../src/adapters/projectionCheckpointStore.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const LIVE_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Cases in progress at once in the generated log: how far one case's events spread. */
const ACTIVE_CASES = 5_000;
/** Share of new cases whose script stops before CaseClosed (~100,000 open at 1M events). */
const OPEN_SHARE = 0.62;
const TENANTS = 500;
/** Events whose data is checked against the strict event schemas (the rest are the same code). */
const VALIDATED_EVENTS = 50_000;
const HEAP_SAMPLE_EVERY = 100_000;
const QUERY_RUNS = 1_000;
const LIVE_CLIENTS = 32;
const LIVE_WARMUP_MS = 1_000;
const TARGET_SQLITE_RATE = 100_000;
const TARGET_PG_RATE = 30_000;
const TARGET_QUERY_P99_MS = 20;
const TARGET_LAG_P99_MS = 200;

const dir = mkdtempSync(join(tmpdir(), 'docket-bench-projections-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const pct = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** Retained heap: collect first (run.ts starts benchmarks with --expose-gc). */
const sampleHeap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

// Deterministic: the same log every run.
let seed = 0x2f6b_1d3c;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (p: number) => random() < p;
const iso = (at: number) => new Date(at).toISOString();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const zones = new Map(Object.entries(defaultPolicy.offerings).map(([id, o]) => [id, o.zone]));
const context: ProjectionContext = { zoneOf: (offering) => zones.get(offering) ?? 'UTC' };
const projections = [caseQueue, slaCompliance];
const upcasters = new UpcasterRegistry(caseEventUpcasters);

// ---- Tenants: a long tail (Zipf, s = 1): the largest holds ~15% of the cases. ----

interface BenchTenant {
  readonly id: string;
  readonly offering: string;
  readonly advancedAgreement: boolean;
  readonly region?: string;
}
const offeringIds = Object.keys(defaultPolicy.offerings);
const tenants: BenchTenant[] = Array.from({ length: TENANTS }, (_, i) => {
  const offering = offeringIds[i % 10 < 6 ? 0 : i % 10 < 8 ? 1 : 2] ?? offeringIds[0]!;
  const regions = defaultPolicy.offerings[offering]?.regions;
  return {
    id: `t${String(i).padStart(3, '0')}`,
    offering,
    advancedAgreement: i % 3 === 0,
    ...(regions === undefined ? {} : { region: regions[i % regions.length]! }),
  };
});
const tenantWeights = (() => {
  let sum = 0;
  const cumulative = tenants.map((_, i) => (sum += 1 / (i + 1)));
  return cumulative.map((c) => c / sum);
})();
const pickTenant = () => {
  const r = random();
  let lo = 0;
  let hi = tenantWeights.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tenantWeights[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return tenants[lo]!;
};

// ---- Case lifecycles, as the command handler would record them. ----

type Data<K extends CaseEventType> = CaseEventOf<K>['data'];
interface Step {
  readonly type: CaseEventType;
  readonly actor: Actor;
  /** The event's data, given the instant it occurs. */
  readonly data: (at: number) => unknown;
}
const step = <K extends CaseEventType>(
  type: K,
  actor: Actor,
  data: (at: number) => Data<K>,
): Step => ({ type, actor, data });

const timer: Actor = { role: 'timer', id: 'scheduler' };
const agents = Array.from({ length: 200 }, (_, i) => `agent-${i}`);
const lower = { A: 'B', B: 'C', C: 'C' } as const;
const targets = {
  A: { target: { hours: 1 }, ms: HOUR, nonresponse: 4 * HOUR },
  B: { target: { businessDays: 1 }, ms: DAY, nonresponse: 2 * DAY },
  C: { target: { businessDays: 3 }, ms: 3 * DAY, nonresponse: 5 * DAY },
} as const;
const messages = [
  'Thanks for the details: we are looking into the sign-in failures now.',
  'Could you send the correlation id and the time of a failed attempt?',
  'The synchronisation job was stuck on a deleted object; it has been restarted.',
  'We have reproduced the problem and escalated it to the product team.',
];

interface LiveCase {
  readonly caseId: string;
  readonly steps: Step[];
  next: number;
}

/** A case's whole script; an open case stops at a random step before CaseClosed. */
const lifecycle = (n: number, at: number): LiveCase => {
  const caseId = `k${n}`;
  const tenant = pickTenant();
  const customer: Actor = { role: 'customer-admin', tenant: tenant.id, id: `admin-${tenant.id}` };
  const agent: Actor = { role: 'agent', id: pick(agents) };
  const line = chance(0.6) ? 'technical' : chance(0.6) ? 'billing' : 'presales';
  const policyLine = defaultPolicy.offerings[tenant.offering]!.lines[line]!;
  // Severity A only for tenants with an advanced agreement, and rarely.
  const offered = (['B', 'C'] as const).filter((s) => policyLine.severities[s] !== undefined);
  let severity: 'A' | 'B' | 'C' =
    tenant.advancedAgreement && policyLine.severities.A !== undefined && chance(0.1)
      ? 'A'
      : pick(offered);
  const terms = targets[severity];
  const calendar = policyLine.severities[severity]!.calendar;
  const opened = at;
  const dueAt = opened + terms.ms;
  let breached = false;
  let firstResponseDone = false;
  const firstResponse = (now: number) => {
    if (firstResponseDone) return {};
    firstResponseDone = true;
    const elapsedMs = now - opened;
    return {
      firstResponse: {
        withinTarget: !breached && now <= dueAt,
        elapsedMs,
        businessElapsedMs: Math.round(elapsedMs * 0.6),
      },
    };
  };
  const respond = step('AgentResponded', agent, (now) => ({
    agent: agent.id,
    message: pick(messages),
    ...firstResponse(now),
  }));
  const requestInfo = step('CustomerInfoRequested', agent, (now) => ({
    agent: agent.id,
    message: pick(messages),
    nonresponseDueAt: iso(now + targets[severity].nonresponse),
    ...firstResponse(now),
  }));
  const reply = step('CustomerResponded', customer, () => ({
    message: 'Here are the logs you asked for; the problem started after the password change.',
  }));
  const steps: Step[] = [
    step('CaseOpened', customer, () => ({
      caseId,
      tenant: {
        id: tenant.id,
        offering: tenant.offering,
        advancedAgreement: tenant.advancedAgreement,
        ...(tenant.region === undefined ? {} : { region: tenant.region }),
      },
      line,
      category: pick(policyLine.categories),
      title: `Users of ${tenant.id} cannot sign in (${n})`,
      description:
        'Since this morning about forty users get an error when they sign in to Outlook on the ' +
        'web; desktop clients keep working. Nothing changed on our side as far as we know.',
      contact: { name: `Admin ${tenant.id}`, email: `admin@${tenant.id}.example` },
      requestedSeverity: severity,
      severity,
      policyVersion: defaultPolicy.version,
      responseTarget: terms.target,
      responseCalendar:
        typeof calendar === 'string' ? calendar : Object.values(calendar.byRegion)[0]!,
      responseDueAt: iso(dueAt),
    })),
  ];
  if (chance(0.1)) {
    breached = true;
    steps.push(step('ResponseDeadlineBreached', timer, () => ({ dueAt: iso(dueAt) })));
  }
  if (chance(0.85)) steps.push(step('CaseAssigned', agent, () => ({ agent: agent.id })));
  if (chance(0.65)) steps.push(respond);
  else {
    steps.push(requestInfo);
    if (severity !== 'C' && chance(0.1)) {
      const from = severity;
      const to = lower[from];
      severity = to;
      steps.push(
        step('SeverityDowngraded', timer, (now) => ({
          from,
          to,
          reason: 'customer-nonresponse',
          nonresponseDueAt: iso(now + targets[to].nonresponse),
        })),
      );
    }
    steps.push(reply, respond);
  }
  for (let round = Math.floor(random() * 3); round > 0; round--)
    steps.push(requestInfo, reply, respond);
  if (chance(0.15))
    steps.push(step('NoteAdded', agent, () => ({ agent: agent.id, text: 'Checked the logs.' })));
  if (chance(0.04)) {
    const from = severity;
    const to = from === 'C' ? 'B' : 'C';
    steps.push(step('SeverityChanged', agent, () => ({ from, to, reason: 'Impact reassessed' })));
  }
  const resolve = step('CaseResolved', agent, (now) => ({
    reason: pick(['fixed', 'advice-given', 'duplicate', 'out-of-scope-third-party'] as const),
    summary: 'Stale synchronisation object removed; sign-in works again.',
    autoCloseAt: iso(now + 7 * DAY),
  }));
  if (chance(0.04))
    steps.push(
      step('CaseWithdrawn', customer, (now) => ({
        reason: 'Solved it ourselves',
        autoCloseAt: iso(now + 7 * DAY),
      })),
    );
  else steps.push(resolve);
  if (chance(0.05))
    steps.push(
      step('CaseReopened', customer, () => ({ reason: 'It is back.' })),
      respond,
      resolve,
    );
  if (chance(0.3))
    steps.push(step('SurveySubmitted', customer, () => ({ rating: 1 + pick([2, 3, 3, 4, 4, 4]) })));
  steps.push(step('CaseClosed', timer, () => ({})));
  if (chance(OPEN_SHARE)) steps.length = 1 + Math.floor(random() * (steps.length - 1));
  return { caseId, steps, next: 0 };
};

/**
 * The log: tenants registered and the policy adopted through the services, then EVENTS case
 * events written as rows, ACTIVE_CASES lifecycles interleaved at a time.
 */
const buildStore = async (path: string) => {
  const started = performance.now();
  const store = new SqliteEventStore({ path, synchronous: 'normal' });
  const created = await createDocketServices(store, systemClock, defaultPolicy);
  if (!created.ok) throw created.error;
  const admin: Actor = { role: 'admin', id: 'root' };
  for (const t of tenants) {
    const registered = await created.value.tenants.register(admin, t);
    if (!registered.ok) throw registered.error;
  }
  await store.close();

  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    `INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata,
       command_id, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const hash = 'f'.repeat(64);
  type Row = [string, number, string, string, number, string, string, string, string, string];
  const insertAll = db.transaction((rows: Row[]) => {
    for (const row of rows) insert.run(...row);
  });
  let at = Date.parse('2026-03-02T00:00:00.000Z');
  let cases = 0;
  const active: LiveCase[] = Array.from({ length: ACTIVE_CASES }, () => lifecycle(cases++, at));
  let rows: Row[] = [];
  for (let i = 0; i < EVENTS; i++) {
    at += Math.floor(random() * 3_000);
    const slot = Math.floor(random() * active.length);
    const c = active[slot]!;
    const s = c.steps[c.next]!;
    const data = s.data(at);
    if (i < VALIDATED_EVENTS) {
      const checked = caseEventDataSchemas[s.type].safeParse(data);
      if (!checked.success) throw new Error(`${s.type}: ${checked.error.message}`);
    }
    const commandId = randomUUID();
    const metadata: EventMetadata = {
      commandId,
      causationId: commandId,
      correlationId: commandId,
      actor: s.actor,
      occurredAt: iso(at),
      caseId: c.caseId,
      policyVersion: defaultPolicy.version,
      machineVersion: 1,
    };
    rows.push([
      `case-${c.caseId}`,
      c.next,
      randomUUID(),
      s.type,
      currentSchemaVersion[s.type],
      JSON.stringify(data),
      JSON.stringify(metadata),
      commandId,
      hash,
      hash,
    ]);
    if (++c.next === c.steps.length) active[slot] = lifecycle(cases++, at);
    if (rows.length === 10_000) {
      insertAll(rows);
      rows = [];
    }
  }
  insertAll(rows);
  const last = (db.prepare('SELECT max(position) AS p FROM events').get() as { p: number }).p;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(
    `(built a store of ${fmt(EVENTS)} case events of ${fmt(cases)} cases, ${TENANTS} tenants, in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return last;
};

/** Raw ceiling: every row of the store read and its JSON parsed, nothing else. */
const rawReadRate = (path: string) => {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare(
      `SELECT position, stream_id, revision, event_id, type, schema_version, data, metadata,
         previous_hash, hash FROM events ORDER BY position`,
    )
    .raw()
    .iterate() as IterableIterator<unknown[]>;
  let count = 0;
  const start = performance.now();
  for (const row of rows) {
    JSON.parse(row[6] as string);
    JSON.parse(row[7] as string);
    count++;
  }
  const rate = count / ((performance.now() - start) / 1000);
  db.close();
  return rate;
};

/** The port's subscription alone, as the projector reads it (upcast): the read path's own cost. */
const subscriptionRate = async (path: string, last: number) => {
  const store = new SqliteEventStore({ path });
  const subscription = withUpcasting(store, upcasters).subscribe();
  let count = 0;
  const start = performance.now();
  for await (const event of subscription) {
    count++;
    if (Number(event.position) >= last) break;
  }
  const rate = count / ((performance.now() - start) / 1000);
  await subscription.close();
  await store.close();
  return rate;
};

/** A projector over the store from position 0 until it has applied `last`. */
const rebuild = async (
  label: string,
  storePath: string,
  last: number,
  db: ReadModelDb,
  { lock = false, ...options }: Partial<ProjectorOptions> & { lock?: boolean },
  target: number,
) => {
  const raw = rawReadRate(storePath);
  const subscribed = await subscriptionRate(storePath, last);
  const store = new SqliteEventStore({ path: storePath });
  globalThis.gc?.();
  const heapBefore = sampleHeap();
  let heapMax = heapBefore;
  let applied = 0;
  let batches = 0;
  let nextSample = HEAP_SAMPLE_EVERY;
  let samplingMs = 0;
  const projector = new Projector({
    store: withUpcasting(store, upcasters),
    checkpoints: new ProjectionCheckpointStore(db, { lock }),
    projections,
    context,
    clock: systemClock,
    onError: (error) => console.error(`${label}: projector error`, error),
    onApplied: (batch) => {
      applied += batch.events;
      batches++;
      if (applied < nextSample) return;
      const t = performance.now();
      heapMax = Math.max(heapMax, sampleHeap());
      samplingMs += performance.now() - t;
      nextSample += HEAP_SAMPLE_EVERY;
    },
    ...options,
  });
  const start = performance.now();
  await projector.start();
  await projector.caughtUp(last);
  const seconds = (performance.now() - start - samplingMs) / 1000;
  await projector.close();
  await store.close();
  const rate = applied / seconds;
  console.log(
    `rebuild into ${label}: ${fmt(applied)} events in ${seconds.toFixed(1)} s = ${fmt(rate)} events/s ` +
      `(target ≥ ${fmt(target)}: ${met(rate >= target)}); raw read + JSON.parse just before: ${fmt(raw)} events/s, ` +
      `ratio ${(rate / raw).toFixed(2)}; the port's subscription alone: ${fmt(subscribed)} events/s, ratio ${(rate / subscribed).toFixed(2)}; ` +
      `${batches} batches of ${fmt(applied / batches)} events on average; ` +
      `retained heap ${mib(heapBefore)} MiB before, at most ${mib(heapMax)} MiB while rebuilding ` +
      `(${(samplingMs / 1000).toFixed(1)} s of gc sampling left out)`,
  );
};

/** Records the last query a Kysely instance ran, to explain exactly what queryQueue sends. */
class LastQuery implements KyselyPlugin {
  last: PluginTransformQueryArgs | undefined;
  transformQuery(args: PluginTransformQueryArgs) {
    this.last = args;
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs) {
    return Promise.resolve(args.result);
  }
}

const explain = async (
  db: Kysely<ReadModelDatabase>,
  dialect: 'sqlite' | 'postgres',
  q: QueueQuery,
) => {
  const capture = new LastQuery();
  await queryQueue(db.withPlugin(capture), 'agent', q);
  const compiled = db.getExecutor().compileQuery(capture.last!.node, capture.last!.queryId);
  const prefix = dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN (ANALYZE, COSTS OFF) ';
  const { rows } = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]),
  );
  const lines = rows.map((r) => String(dialect === 'sqlite' ? r['detail'] : r['QUERY PLAN']));
  const filters = Object.keys(q).filter((k) => k !== 'limit' && k !== 'offset');
  let verdict: string;
  if (dialect === 'sqlite') {
    // SCAN: every row (of the table or, "USING INDEX", of a whole index); SEARCH: a range.
    const access = lines.find((l) => /^(SCAN|SEARCH) case_queue\b/.test(l)) ?? '';
    const unused = filters.filter((c) => !new RegExp(`\\b${c}=`).test(access));
    verdict = access.startsWith('SCAN') ? 'FULL SCAN' : 'index search';
    if (unused.length > 0)
      verdict += `; ${unused.join(', ')} not in the index searched: rows read and discarded`;
    if (lines.some((l) => l.includes('TEMP B-TREE'))) verdict += '; sorts the matching rows';
  } else {
    const removed = lines.map((l) => /Rows Removed by Filter: (\d+)/.exec(l)?.[1]).find(Boolean);
    verdict = lines.some((l) => l.includes('Seq Scan on case_queue')) ? 'FULL SCAN' : 'index scan';
    if (removed !== undefined) verdict += `; ${fmt(Number(removed))} rows read and discarded`;
    if (lines.some((l) => /\bSort\b/.test(l))) verdict += '; sorts the matching rows';
  }
  return { lines, verdict };
};

/** The agent queue, unfiltered and filtered, QUERY_RUNS times each. */
const queueLatency = async (label: string, db: ReadModelDb, dialect: 'sqlite' | 'postgres') => {
  const open = await db
    .selectFrom('case_queue')
    .select((eb) => [
      eb.fn.countAll<number>().as('all'),
      eb.fn
        .sum<number>(eb.case().when('waiting_on', '=', 'agent').then(1).else(0).end())
        .as('agent'),
    ])
    .executeTakeFirstOrThrow();
  // The busiest and the quietest tenant and line + severity cell (at least one case waiting).
  const byTenant = await db
    .selectFrom('case_queue')
    .select(['tenant', (eb) => eb.fn.countAll<number>().as('cases')])
    .where('waiting_on', '=', 'agent')
    .groupBy('tenant')
    .orderBy('cases', 'desc')
    .orderBy('tenant')
    .execute();
  const byCell = await db
    .selectFrom('case_queue')
    .select(['line', 'severity', (eb) => eb.fn.countAll<number>().as('cases')])
    .where('waiting_on', '=', 'agent')
    .groupBy(['line', 'severity'])
    .orderBy('cases', 'desc')
    .orderBy('line')
    .orderBy('severity')
    .execute();
  console.log(
    `agent queue in ${label}: ${fmt(Number(open.all))} open cases, ${fmt(Number(open.agent))} waiting on an agent`,
  );
  const variants: Array<[string, QueueQuery, number]> = [
    ['unfiltered', { limit: 50 }, Number(open.agent)],
  ];
  for (const [which, cell] of [
    ['busiest', byCell[0]!],
    ['quietest', byCell.at(-1)!],
  ] as const)
    variants.push([
      `line ${cell.line} + severity ${cell.severity} (the ${which} cell)`,
      { line: cell.line, severity: cell.severity, limit: 50 },
      Number(cell.cases),
    ]);
  for (const [which, t] of [
    ['largest', byTenant[0]!],
    ['smallest', byTenant.at(-1)!],
  ] as const)
    variants.push([
      `tenant ${t.tenant} (the ${which})`,
      { tenant: t.tenant, limit: 50 },
      Number(t.cases),
    ]);
  for (const [name, q, matching] of variants) {
    for (let i = 0; i < 50; i++) await queryQueue(db, 'agent', q); // warm-up
    const times: number[] = [];
    let returned = 0;
    for (let i = 0; i < QUERY_RUNS; i++) {
      const t = performance.now();
      returned = (await queryQueue(db, 'agent', q)).length;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const plan = await explain(db, dialect, q);
    const p99 = pct(times, 99);
    console.log(
      `  ${name} (${fmt(matching)} matching, ${returned} returned): p50 ${ms(pct(times, 50))} ms, p99 ${ms(p99)} ms, ` +
        `max ${ms(times.at(-1)!)} ms over ${fmt(QUERY_RUNS)} runs (target p99 ≤ ${TARGET_QUERY_P99_MS} ms: ${met(p99 <= TARGET_QUERY_P99_MS)}); ` +
        plan.verdict,
    );
    for (const line of plan.lines) console.log(`      ${line}`);
  }
};

// ---- 3. Live lag under the service benchmark's load. ----

const live = async (withProjector: boolean) => {
  const tag = withProjector ? 'projected' : 'baseline';
  const store = new SqliteEventStore({ path: join(dir, `live-${tag}.db`) });
  const created = await createDocketServices(store, systemClock, defaultPolicy);
  if (!created.ok) throw created.error;
  const services = created.value;
  const clients = Array.from({ length: LIVE_CLIENTS }, (_, i) => tenants[i]!);
  for (const t of clients) {
    const registered = await services.tenants.register({ role: 'admin', id: 'root' }, t);
    if (!registered.ok) throw registered.error;
  }
  const db = withProjector
    ? openSqliteReadModels(join(dir, 'live-read.db'), { thread: true })
    : undefined;
  const lags: number[] = [];
  let measureFrom = Infinity;
  const projector =
    db === undefined
      ? undefined
      : new Projector({
          store: services.store,
          checkpoints: new ProjectionCheckpointStore(db),
          projections,
          context,
          clock: systemClock,
          onError: (error) => console.error('live projector error', error),
          onApplied: (batch) => {
            const now = Date.now();
            for (const at of batch.occurredAt) {
              const occurred = Date.parse(at);
              if (occurred >= measureFrom) lags.push(now - occurred);
            }
          },
        });
  await projector?.start();
  const startedAt = Date.now();
  measureFrom = startedAt + LIVE_WARMUP_MS;
  const endAt = measureFrom + LIVE_SECONDS * 1000;
  let counted = 0;
  let failed = 0;
  let lastPosition = 0n;
  await Promise.all(
    clients.map(async (tenant, c) => {
      const customer: Actor = { role: 'customer-admin', tenant: tenant.id, id: `admin-${c}` };
      const agent: Actor = { role: 'agent', id: `agent-${c}` };
      const line = tenant.offering === '21vianet' ? 'technical' : 'billing';
      const cycle = [
        [
          'open',
          customer,
          {
            line,
            severity: 'B',
            category: 'other',
            title: 'Sign-in fails',
            contact: { name: 'Ada', email: 'ada@contoso.example' },
          },
        ],
        ['respond', agent, { message: 'Looking into it.' }],
        ['requestInfo', agent, { message: 'Please send the logs.' }],
        ['customerReply', customer, { message: 'Logs attached.' }],
        ['resolve', agent, { reason: 'fixed', summary: 'Fixed the sync.' }],
      ] as const;
      for (let n = 0; Date.now() < endAt; n++) {
        const caseId = `l${c}-${n}`;
        for (const [type, actor, input] of cycle) {
          const result = await services.commands.handle(parsed({ type, caseId, actor, input }));
          const now = Date.now();
          if (!result.ok) failed++;
          else if (now >= measureFrom && now < endAt) counted++;
          if (!result.ok) break;
        }
      }
    }),
  );
  for await (const e of services.store.readAll({ direction: 'backwards', maxCount: 1 }))
    lastPosition = e.position;
  await projector?.caughtUp(lastPosition);
  await projector?.close();
  await db?.destroy();
  await store.close();
  return { rate: counted / LIVE_SECONDS, failed, lags: lags.sort((a, b) => a - b) };
};

// ---- The run. ----

const storePath = join(dir, 'store.db');
const last = await buildStore(storePath);

// Written as `docket projections rebuild` and `docket serve`'s projector write them (SQLite in
// a thread of its own), queried as the HTTP API queries them (a connection in this thread).
const written = openSqliteReadModels(join(dir, 'read-models.db'), { thread: true });
await rebuild('SQLite read models', storePath, last, written, {}, TARGET_SQLITE_RATE);
await written.destroy();
const sqlite = openSqliteReadModels(join(dir, 'read-models.db'));
await queueLatency('SQLite', sqlite, 'sqlite');
await sqlite.destroy();

const pgAdmin = new pg.Client({ connectionString: DATABASE_URL });
const pgUp = await pgAdmin.connect().then(
  () => true,
  () => false,
);
if (pgUp) {
  const schema = `bench_projections_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await pgAdmin.query(`CREATE SCHEMA ${schema}`);
  const postgres = openPostgresReadModels(DATABASE_URL, schema);
  try {
    await rebuild(
      `PostgreSQL read models (schema ${schema}, lockCheckpoints)`,
      storePath,
      last,
      postgres,
      { lock: true },
      TARGET_PG_RATE,
    );
    await new Promise((r) => setTimeout(r, 2_000)); // statistics reach pg_stat_* within ~1 s
    const stats = await pgAdmin.query<{ live: string; dead: string; vacuumed: Date | null }>(
      `SELECT n_live_tup AS live, n_dead_tup AS dead, last_autovacuum AS vacuumed
         FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'case_queue'`,
      [schema],
    );
    const row = stats.rows[0];
    if (row !== undefined)
      console.log(
        `case_queue after the rebuild: ${fmt(Number(row.live))} live rows, ${fmt(Number(row.dead))} dead row versions ` +
          `(${row.vacuumed === null ? 'not autovacuumed yet' : 'autovacuumed'}); the queries below run as they find it`,
      );
    await queueLatency('PostgreSQL', postgres, 'postgres');
  } finally {
    await postgres.destroy();
    await pgAdmin.query(`DROP SCHEMA ${schema} CASCADE`);
    await pgAdmin.end();
  }
} else {
  console.log(`PostgreSQL: skipped, nothing answers at ${DATABASE_URL}`);
}

const baseline = await live(false);
const projected = await live(true);
const p99 = pct(projected.lags, 99);
console.log(
  `live: ${LIVE_CLIENTS} clients for ${LIVE_SECONDS} s (synchronous=FULL): ${fmt(projected.rate)} commands/s with the projector ` +
    `running, ${fmt(baseline.rate)} commands/s without (ratio ${(projected.rate / baseline.rate).toFixed(2)}); ` +
    `failed commands ${projected.failed} / ${baseline.failed}`,
);
console.log(
  `live lag (append → row visible) over ${fmt(projected.lags.length)} events: p50 ${pct(projected.lags, 50)} ms, ` +
    `p99 ${p99} ms, max ${projected.lags.at(-1)} ms (target p99 ≤ ${TARGET_LAG_P99_MS} ms: ${met(p99 <= TARGET_LAG_P99_MS)})`,
);

if (process.env['BENCH_KEEP'] === undefined) rmSync(dir, { recursive: true, force: true });
else console.log(`(kept ${storePath})`);
process.exit(0);
