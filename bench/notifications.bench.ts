/**
 * Notifications (issue #17), figures only: BENCH_EVENTS case events (default 10,000, each a
 * CaseOpened) on an SQLite store (synchronous=FULL) with the services on the wall clock, one
 * webhook endpoint subscribed to them, the outbox in SQLite read models, and a receiver in this
 * process (node:http on 127.0.0.1, answering 200 at once).
 * 1. Fan-out of a backlog: the events are recorded first, then the deliverer (feeder +
 *    dispatcher, 32 attempts in flight) is started; deliveries/s from its start to the last
 *    200, and retained heap (gc() every 1,000 deliveries): start, peak, end. Beside it, in the
 *    same run just before: the same number of plain keep-alive POSTs of the same bodies to the
 *    same receiver, 32 in flight (raw node:http), and the ratio.
 * 2. End to end at BENCH_RATE events/s (default 500): commands paced at that rate with the
 *    deliverer running; latency = the receiver's arrival instant − the event's occurredAt;
 *    p50/p99/max (target p99 ≤ 1 s), missing and duplicated deliveries (by webhook-id).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HttpWebhookSender } from '../src/adapters/httpWebhookSender.js';
import { openSqliteReadModels } from '../src/adapters/readModelDb.js';
import { SqliteEventStore } from '../src/adapters/sqliteEventStore.js';
import { systemClock } from '../src/adapters/systemClock.js';
import { WebhookOutboxStore } from '../src/adapters/webhookOutboxStore.js';
import { createDocketServices, type DocketServices } from '../src/application/docketServices.js';
import { WebhookDispatcher } from '../src/application/webhookDispatcher.js';
import { WebhookRegistry } from '../src/application/webhookEndpoints.js';
import { WebhookFeeder } from '../src/application/webhookFeeder.js';
import { defaultPolicy } from '../src/domain/policy/defaultPolicy.js';
import { parsed } from '../test/specs/caseCommands.js';

/**
 * The receiver: answers 200 at once and keeps only what the figures need (per path: how many,
 * the ids seen, each delivery's latency), so that its memory does not colour the heap figures.
 */
class Receiver {
  readonly #server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200).end();
      const path = req.url ?? '';
      const seen = this.#seen(path);
      const id = req.headers['webhook-id'];
      if (typeof id === 'string') {
        if (seen.ids.has(id)) seen.duplicates++;
        seen.ids.add(id);
        const { timestamp } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          timestamp: string;
        };
        seen.latencies.push(Date.now() - Date.parse(timestamp));
      }
      seen.count++;
      if (seen.count === seen.waitFor) seen.done?.();
    });
  });
  readonly #paths = new Map<string, PathFigures>();

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.#server.address() as { port: number }).port}${path}`;
  }

  figures(path: string): PathFigures {
    return this.#seen(path);
  }

  /** Resolves once `count` requests to `path` have been answered. */
  answered(path: string, count: number): Promise<void> {
    const seen = this.#seen(path);
    if (seen.count >= count) return Promise.resolve();
    return new Promise((resolve) => {
      seen.waitFor = count;
      seen.done = resolve;
    });
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #seen(path: string): PathFigures {
    let seen = this.#paths.get(path);
    if (seen === undefined) {
      seen = { count: 0, ids: new Set(), duplicates: 0, latencies: [] };
      this.#paths.set(path, seen);
    }
    return seen;
  }
}

interface PathFigures {
  count: number;
  readonly ids: Set<string>;
  duplicates: number;
  readonly latencies: number[];
  waitFor?: number;
  done?: () => void;
}

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 10_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'docket-bench-notifications-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const cpuUs = ({ user, system }: NodeJS.CpuUsage) => user + system;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
const openInput = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 't',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};

const open = (services: DocketServices) =>
  services.commands.handle(
    parsed({ type: 'open', caseId: randomUUID(), actor: ada, input: openInput }),
  );

const world = async (name: string, receiver: Receiver) => {
  const store = new SqliteEventStore({ path: join(dir, `${name}.db`) });
  const created = await createDocketServices(store, systemClock, defaultPolicy);
  if (!created.ok) throw created.error;
  const services = created.value;
  await services.tenants.register(
    { role: 'admin', id: 'root' },
    { id: 'contoso', offering: '21vianet', advancedAgreement: true },
  );
  const registry = new WebhookRegistry(services.store, systemClock, {
    tenantExists: () => Promise.resolve(true),
    allowPrivate: true,
  });
  const endpoint = await registry.register(
    { role: 'admin', id: 'root' },
    { url: receiver.url(`/${name}`), events: ['CaseOpened'] },
  );
  if (!endpoint.ok) throw endpoint.error;
  const db = openSqliteReadModels(join(dir, `${name}-readmodels.db`));
  const outbox = new WebhookOutboxStore(db);
  const sender = new HttpWebhookSender({ allowPrivate: true });
  const dispatcher = new WebhookDispatcher({
    outbox,
    endpoints: registry,
    sender,
    clock: systemClock,
  });
  const feeder = new WebhookFeeder({
    store: services.store,
    outbox,
    tenantOf: (id) => services.cases.tenantOf(id),
    clock: systemClock,
    onEnqueued: () => dispatcher.wake(),
  });
  return {
    services,
    start: async () => {
      await feeder.start();
      dispatcher.start();
    },
    close: async () => {
      await feeder.close();
      await dispatcher.close();
      await sender.close();
      await db.destroy();
      await store.close();
    },
  };
};

/** `count` raw POSTs of `body` to `url`, `concurrency` in flight, on one keep-alive agent. */
const rawPosts = async (url: string, body: string, count: number, concurrency: number) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await new Promise<void>((resolve, reject) => {
        const req = http.request(
          url,
          { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', resolve);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
};

const backlog = async (receiver: Receiver) => {
  const w = await world('backlog', receiver);
  for (let i = 0; i < EVENTS; i += 64)
    await Promise.all(Array.from({ length: Math.min(64, EVENTS - i) }, () => open(w.services)));
  // The raw baseline: the same number of POSTs of a body of the same size.
  const body = JSON.stringify({ type: 'CaseOpened', pad: 'x'.repeat(900) });
  const rawStart = performance.now();
  const rawCpu = process.cpuUsage();
  await rawPosts(receiver.url('/raw'), body, EVENTS, 32);
  const rawRate = EVENTS / ((performance.now() - rawStart) / 1000);
  const rawCpuUs = cpuUs(process.cpuUsage(rawCpu)) / EVENTS;

  const heaps = [heapMb()];
  const started = performance.now();
  const cpu = process.cpuUsage();
  await w.start();
  let sampling = 0;
  for (let done = 1_000; done < EVENTS; done += 1_000) {
    await receiver.answered('/backlog', done);
    const before = performance.now();
    heaps.push(heapMb());
    sampling += performance.now() - before;
  }
  await receiver.answered('/backlog', EVENTS);
  const rate = EVENTS / ((performance.now() - started - sampling) / 1000);
  const cpuPerDelivery = cpuUs(process.cpuUsage(cpu)) / EVENTS;
  heaps.push(heapMb());
  const figures = receiver.figures('/backlog');
  await w.close();
  console.log(
    `fan-out of a backlog of ${fmt(EVENTS)} events: ${fmt(rate)} deliveries/s; raw POSTs ` +
      `(${fmt(EVENTS)}, 32 in flight, ${body.length} B bodies) ${fmt(rawRate)}/s; ratio ` +
      `${(rate / rawRate).toFixed(2)}; distinct ids ${fmt(figures.ids.size)}, duplicated ${figures.duplicates}`,
  );
  console.log(
    `  CPU of this process (receiver included) per delivery ${fmt(cpuPerDelivery)} µs, per raw ` +
      `POST ${fmt(rawCpuUs)} µs; ratio ${(cpuPerDelivery / rawCpuUs).toFixed(2)} (heap sampling included)`,
  );
  console.log(
    `  retained heap (MB): start ${heaps[0]!.toFixed(1)}, peak ${Math.max(...heaps).toFixed(1)}, ` +
      `end ${heaps.at(-1)!.toFixed(1)} (${heaps.length} samples, gc() first; sampling time left out)`,
  );
};

const live = async (receiver: Receiver) => {
  const w = await world('live', receiver);
  await w.start();
  const everyMs = 1000 / RATE;
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const due = started + i * everyMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(open(w.services));
  }
  await Promise.all(pending);
  const sent = (performance.now() - started) / 1000;
  await receiver.answered('/live', EVENTS);
  const { ids, duplicates } = receiver.figures('/live');
  const latencies = [...receiver.figures('/live').latencies].sort((a, b) => a - b);
  await w.close();
  console.log(
    `end to end at ${fmt(EVENTS / sent)} events/s (asked ${RATE}): latency p50 ${fmt(pct(latencies, 50))} ms, ` +
      `p99 ${fmt(pct(latencies, 99))} ms, max ${fmt(latencies.at(-1) ?? NaN)} ms; ` +
      `missing ${EVENTS - ids.size}, duplicated ${duplicates}`,
  );
};

const receiver = await Receiver.start();
try {
  await backlog(receiver);
  await live(receiver);
} finally {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
