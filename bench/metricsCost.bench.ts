/**
 * What metrics and request ids cost a command, in CPU, measured in one process (#15's target:
 * within 5 % of without).
 *
 * bench/http's metrics part measures the same thing end to end (two server processes, a load
 * generator on the same two cores), where the pairs of runs spread by ±20 % on this VM and a
 * 5 % difference cannot be told apart. Here both variants are put together in one process as
 * `docket serve`'s api role is (the SQLite store in its thread, the command handler, buildApp,
 * the read-model database), each on a data directory of its own:
 *
 * - without: no metrics, requests without `X-Request-Id` or `traceparent` (the server makes
 *   each id);
 * - with: a `PrometheusMetrics` (process metrics included) observing the command handler,
 *   collecting the calendar horizon and projection lag, `/metrics` served and scraped once
 *   every SCRAPE_EVERY commands (bench/http scrapes about once per 1,500), requests carrying
 *   both headers, echoed.
 *
 * Requests go through Fastify's `inject` (no sockets, no load generator sharing the CPU).
 * The two variants alternate in batches of BATCH_CYCLES cycles (open, respond, requestInfo,
 * customerReply, resolve: bench/http's cycle), CONCURRENCY cycles at a time, ROUNDS times; each
 * batch's CPU (`process.cpuUsage`: every thread of the process) per command is one sample. The
 * figure is the median over rounds of with ÷ without, with its range. The raw underlying work
 * in the same run is the "without" batch itself: the ratio is to it. Process metrics (GC observer,
 * event-loop monitor) are installed for the whole process, so they run under both variants: the
 * bench counts the collections they observe per command instead. Then each added piece is
 * timed alone (observe, ids, scrape), which a busy VM disturbs less than the A/B.
 *
 * BENCH_ROUNDS (default 12), BENCH_BATCH_CYCLES (default 100), BENCH_CONCURRENCY (default 8).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { allProjections } from '../projections/allProjections.js';
import { openEventStore } from '../src/adapters/openEventStore.js';
import { openReadModels } from '../src/adapters/openReadModels.js';
import { PrometheusMetrics } from '../src/adapters/prometheusMetrics.js';
import { systemClock } from '../src/adapters/systemClock.js';
import { createDocketServices } from '../src/application/docketServices.js';
import { projectionLagReader } from '../src/application/projectionLag.js';
import { loadServiceConfig } from '../src/config/serviceConfig.js';
import { defaultPolicy } from '../src/domain/policy/defaultPolicy.js';
import { buildApp } from '../src/http/buildApp.js';
import { requestId, traceIdOf } from '../src/http/requestIds.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 12);
const BATCH_CYCLES = Number(process.env['BENCH_BATCH_CYCLES'] ?? 100);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const COMMANDS_PER_CYCLE = 5;
const SCRAPE_EVERY = 500;
const MAX_OVERHEAD = 0.05;

type Variant = 'without' | 'with';

interface Stack {
  readonly variant: Variant;
  readonly app: FastifyInstance;
  readonly tokens: { readonly ada: string; readonly li: string };
  readonly close: () => Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), 'docket-bench-metrics-cost-'));

const openBody = {
  line: 'technical',
  severity: 'B',
  category: 'exchange-autodiscover',
  title: 'Outlook cannot find the mailbox',
  description: 'Autodiscover fails for every user since this morning.',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};

const stack = async (variant: Variant): Promise<Stack> => {
  const config = loadServiceConfig({ DOCKET_DATA_DIR: join(dir, variant), LOG_LEVEL: 'info' });
  if (!config.ok) throw config.error;
  const { store } = openEventStore(config.value);
  const metrics = variant === 'with' ? new PrometheusMetrics() : undefined;
  const created = await createDocketServices(
    store,
    systemClock,
    defaultPolicy,
    metrics === undefined ? {} : { commandObserver: metrics },
  );
  if (!created.ok) throw created.error;
  const services = created.value;
  const readModels = openReadModels(config.value);
  metrics?.collectCalendarHorizon(() => services.policies.current, systemClock);
  metrics?.collectProjectionLag(
    projectionLagReader(readModels.db, allProjections, services.store, systemClock),
  );
  const adminToken = await services.tokens.bootstrapAdmin();
  if (adminToken === undefined) throw new Error('no admin token on a new data directory');
  const app = await buildApp(services, {
    bodyLimit: config.value.bodyLimit,
    // The log sink is where serve's goes; the bench does not read it.
    logger: { level: 'info', file: '/dev/null' },
    readModels: readModels.db,
    ...(metrics === undefined ? {} : { metrics: metrics.registry }),
  });
  const post = async (path: string, token: string, body: object) => {
    const res = await app.inject({
      method: 'POST',
      url: path,
      headers: { authorization: `Bearer ${token}` },
      payload: body,
    });
    if (res.statusCode >= 300) throw new Error(`POST ${path}: ${res.statusCode} ${res.body}`);
    return res.json<Record<string, unknown>>();
  };
  await post('/tenants', adminToken, {
    id: 'contoso',
    offering: '21vianet',
    advancedAgreement: true,
  });
  const issue = async (body: object) =>
    (await post('/tokens', adminToken, body))['token'] as string;
  const tokens = {
    ada: await issue({ role: 'customer-admin', tenant: 'contoso', name: 'ada' }),
    li: await issue({ role: 'agent', name: 'li' }),
  };
  return {
    variant,
    app,
    tokens,
    close: async () => {
      await app.close();
      await readModels.db.destroy();
      await store.close();
    },
  };
};

const traceBase = randomBytes(12).toString('hex');
let serial = 0;

/** One cycle of five commands; the with variant's requests carry their ids. */
const cycle = async (s: Stack): Promise<void> => {
  const send = async (path: string, token: string, body: object, status: number) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (s.variant === 'with') {
      const n = (++serial).toString(16).padStart(16, '0');
      headers['x-request-id'] = `bench-${n}`;
      headers['traceparent'] = `00-${traceBase}${n.slice(-8)}-${n}-01`;
    }
    const res = await s.app.inject({ method: 'POST', url: path, headers, payload: body });
    if (res.statusCode !== status)
      throw new Error(`${s.variant} POST ${path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res;
  };
  const opened = await send('/cases', s.tokens.ada, openBody, 201);
  const id = opened.json<{ case: { id: string } }>().case.id;
  await send(`/cases/${id}/respond`, s.tokens.li, { message: 'We are looking into it.' }, 200);
  await send(
    `/cases/${id}/requestInfo`,
    s.tokens.li,
    { message: 'Which Outlook version do your users run?' },
    200,
  );
  await send(`/cases/${id}/customerReply`, s.tokens.ada, { message: 'Outlook 2016.' }, 200);
  await send(`/cases/${id}/resolve`, s.tokens.li, { reason: 'fixed', summary: 'Fixed.' }, 200);
};

let sinceScrape = 0;
const scrape = async (s: Stack) => {
  const res = await s.app.inject({ method: 'GET', url: '/metrics' });
  if (res.statusCode !== 200 || !res.body.includes('docket_commands_total'))
    throw new Error(`GET /metrics: ${res.statusCode} ${res.body.slice(0, 200)}`);
};

/** BATCH_CYCLES cycles, CONCURRENCY at a time: CPU µs per command and commands/s. */
const batch = async (s: Stack) => {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BATCH_CYCLES) {
        next++;
        await cycle(s);
        if (s.variant === 'with' && (sinceScrape += COMMANDS_PER_CYCLE) >= SCRAPE_EVERY) {
          sinceScrape = 0;
          await scrape(s);
        }
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const commands = BATCH_CYCLES * COMMANDS_PER_CYCLE;
  return {
    cpuPerCommand: (used.user + used.system) / commands,
    rate: commands / ((performance.now() - started) / 1_000),
  };
};

/** CPU µs per call of `fn`, over `n` calls (after n / 10 uncounted). */
const cpuPerCall = async (n: number, fn: () => unknown): Promise<number> => {
  const call = async () => {
    const result = fn();
    if (result instanceof Promise) await result;
  };
  for (let i = 0; i < n / 10; i++) await call();
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) await call();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / n;
};

/**
 * The pieces the with variant adds, each timed alone (less disturbed by a busy machine than
 * the A/B above): a command observed, a request's ids read and echoed, a scrape.
 */
const attribution = async (s: Stack, withoutPerCommand: number) => {
  const metrics = new PrometheusMetrics({ processMetrics: false });
  const observation = {
    command: 'respond',
    outcome: 'ok',
    seconds: 0.0012,
    events: [],
    snapshot: undefined,
  } as const;
  const observe = await cpuPerCall(200_000, () => metrics.observe(observation));
  // What a request's ids add: reading them (`genReqId`), and the echo's check of traceparent.
  // (Timed as functions: two GET /health injects differ by more than this from run to run.)
  const headers = {
    'x-request-id': 'bench-0000000000000001',
    traceparent: `00-${traceBase}00000001-0000000000000001-01`,
  };
  const ids = await cpuPerCall(
    1_000_000,
    () =>
      requestId({ headers } as unknown as IncomingMessage) + String(traceIdOf(headers.traceparent)),
  );
  const scrapeCost = await cpuPerCall(200, () => scrape(s));
  const perCommand = observe + ids + scrapeCost / SCRAPE_EVERY;
  console.log('attribution (each piece timed alone, CPU µs):');
  console.log(`  a command observed (counter + histogram): ${observe.toFixed(2)} µs`);
  console.log(`  a request's X-Request-Id and traceparent read and checked: ${ids.toFixed(2)} µs`);
  console.log(
    `  a scrape of /metrics: ${scrapeCost.toFixed(0)} µs, ${(scrapeCost / SCRAPE_EVERY).toFixed(2)} µs per command at one per ${SCRAPE_EVERY}`,
  );
  console.log(
    `  together ${perCommand.toFixed(2)} µs per command: ${((perCommand / withoutPerCommand) * 100).toFixed(2)} % of a command's ${withoutPerCommand.toFixed(0)} µs without (not counted: the echo's two response headers, in the A/B above)`,
  );
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Garbage collections seen (prom-client's process metrics observe each one). */
let collections = 0;
const gcObserver = new PerformanceObserver((list) => (collections += list.getEntries().length));

const main = async () => {
  gcObserver.observe({ entryTypes: ['gc'] });
  const stacks = { without: await stack('without'), with: await stack('with') };
  try {
    console.log(
      `metrics and request ids, in one process: ${ROUNDS} rounds of ${BATCH_CYCLES} cycles ` +
        `(${BATCH_CYCLES * COMMANDS_PER_CYCLE} commands) per variant, ${CONCURRENCY} at a time, ` +
        `alternating; /metrics scraped every ${SCRAPE_EVERY} commands`,
    );
    // Warm-up: one batch each, not counted (JIT, caches, SQLite pages).
    await batch(stacks.without);
    await batch(stacks.with);
    const cpu: Record<Variant, number[]> = { without: [], with: [] };
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Variant[] = round % 2 === 1 ? ['without', 'with'] : ['with', 'without'];
      const got: Partial<Record<Variant, { cpuPerCommand: number; rate: number }>> = {};
      for (const v of order) got[v] = await batch(stacks[v]);
      cpu.without.push(got.without!.cpuPerCommand);
      cpu.with.push(got.with!.cpuPerCommand);
      ratios.push(got.with!.cpuPerCommand / got.without!.cpuPerCommand);
      console.log(
        `  round ${String(round).padStart(2)}: without ${got.without!.cpuPerCommand.toFixed(0)} µs, ` +
          `with ${got.with!.cpuPerCommand.toFixed(0)} µs per command (CPU, all threads); ` +
          `with ÷ without ${ratios.at(-1)!.toFixed(3)}`,
      );
    }
    const ratio = median(ratios);
    console.log(
      `without: ${median(cpu.without).toFixed(0)} µs, with: ${median(cpu.with).toFixed(0)} µs CPU per command (medians)`,
    );
    console.log(
      `with ÷ without: ${ratio.toFixed(3)} (median; rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
    );
    await attribution(stacks.with, median(cpu.without));
    const commands = (ROUNDS + 1) * 2 * BATCH_CYCLES * COMMANDS_PER_CYCLE;
    console.log(
      `  garbage collections: ${(collections / commands).toFixed(3)} per command (each handled by process metrics' GC observer, which, like the event-loop monitor, runs for the whole process: for both variants here, so in neither figure)`,
    );
    console.log(
      `target: with within ${MAX_OVERHEAD * 100} % of without: ${ratio <= 1 + MAX_OVERHEAD ? 'met' : 'MISSED'} (${((ratio - 1) * 100).toFixed(1)} %)`,
    );
  } finally {
    await stacks.without.close();
    await stacks.with.close();
    gcObserver.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
