/**
 * The HTTP API under a real load generator: autocannon against the server `npm start` runs
 * (`node bin/docket.js serve`, built first with `npm run build`), with a fresh data directory
 * and the store's durable default (SQLite, WAL, synchronous=FULL). Figures, not assertions:
 * - 32 connections, each looping over the cycle open → respond → requestInfo → customerReply →
 *   resolve (the case id of each open is carried into the four commands after it);
 *   commands/s, latency p50/p90/p99/max, non-2xx responses and connection errors
 *   (target ≥ 3,000 commands/s with p99 ≤ 25 ms on the 2-core development VM);
 * - beside it, in the same run, the raw append ceiling: raw better-sqlite3, one event per
 *   transaction (the first figure of bench/eventStore.bench.ts), and the ratio of the two.
 * - the overhead of metrics and request ids (#15): the same cycle against a server put together
 *   as `docket serve` does from the sources (bench/httpAppServer.ts), with metrics (a
 *   PrometheusMetrics observing the command handler, its registry passed to buildApp, `/metrics`
 *   scraped every second during the run) and requests carrying X-Request-Id and traceparent,
 *   against the same without either (the server then makes each request's id itself: buildApp
 *   cannot turn request ids off). BENCH_PAIRS pairs (default 8); the two servers of a pair (each
 *   fresh, on its own data directory) are loaded at the same time, 32 connections each from this
 *   one process, so a VM that slows down slows both: run one after the other, the two came out
 *   10-20 % apart in either direction from the VM's drift alone. The median over the pairs of
 *   the ratio of their commands/s and of their server CPU per command (target: within 5 %).
 * BENCH_SECONDS sets each measured duration (default 15; the metrics part's default is 10),
 * BENCH_WARMUP_SECONDS the uncounted warm-up before it (default 2; the metrics part's is 10, with
 * `/metrics` scraped during it as during the run, unless BENCH_WARM_SCRAPES=off); BENCH_HTTP_PART=serve or
 * metrics runs one part only; BENCH_SERVER_NODE_ARGS adds node flags to the metrics part's
 * servers (a CPU profile, say). To find where the metrics part's difference goes, the with
 * variant can leave parts out: BENCH_PROCESS_METRICS=off (prom-client's process metrics),
 * BENCH_REQUEST_IDS=off (requests without ids), BENCH_SCRAPE=off (/metrics served, not scraped)
 * or =once (scraped once, before the measured run);
 * BENCH_SCRAPE_EVERY_MS (default 1000) scrapes more often, to make a scrape's cost big enough to
 * see; BENCH_CONTROL=on runs the with server as the without one (A/A: what the bench reads as a
 * difference when there is none); BENCH_METRICS_APART=on serves the with server's `/metrics`
 * from a second Fastify instance on its own port (bench/httpAppServer.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { rawAppendCeiling } from './rawAppendCeiling.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);
/** The metrics part's runs: shorter, so that more pairs fit. */
const METRICS_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 2);
/**
 * The metrics part's warm-up, 10 s unless BENCH_WARMUP_SECONDS says: long enough for V8 to have
 * compiled the command path and, scraped during it, the scrape's path (see WARM_SCRAPES).
 */
const METRICS_WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 10);
const PAIRS = Number(process.env['BENCH_PAIRS'] ?? 8);
const PART = process.env['BENCH_HTTP_PART'];
if (PART !== undefined && PART !== 'serve' && PART !== 'metrics') {
  console.error(`BENCH_HTTP_PART must be serve or metrics, not ${PART}`);
  process.exit(2);
}
/** Extra node flags for the metrics part's servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
const SCRAPE_EVERY_MS = Number(process.env['BENCH_SCRAPE_EVERY_MS'] ?? 1_000);
/**
 * BENCH_SCRAPE=off: the with variant serves /metrics but nobody scrapes it during the run;
 * =once: scraped once, just before the measured run, and not during it.
 */
const SCRAPE = process.env['BENCH_SCRAPE'] ?? 'on';
/**
 * The with server is scraped during the warm-up too, as a server that has run for a while has
 * been: not scraped before the measured run, its first scrapes fall in it, and with them V8's
 * work on code run for the first time (the scrape's path, and the paths it shares with the
 * commands). BENCH_WARM_SCRAPES=off measures that: docs/operations.md has the figures.
 */
const WARM_SCRAPES = process.env['BENCH_WARM_SCRAPES'] !== 'off';
if (!['on', 'off', 'once'].includes(SCRAPE)) {
  console.error(`BENCH_SCRAPE must be on, off or once, not ${SCRAPE}`);
  process.exit(2);
}
const SCRAPING = SCRAPE === 'on';
const MAX_OVERHEAD = 0.05;
const CONNECTIONS = 32;
const RAW_EVENTS = 3_000;
const TARGET_RATE = 3_000;
const TARGET_P99_MS = 25;
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'docket-bench-http-'));
const dataDir = join(dir, 'data');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// ---- The raw append ceiling: the same kind of rows, one transaction (one fsync) each. ----
const rawWriteRate =
  PART === 'metrics' ? Number.NaN : rawAppendCeiling(join(dir, 'raw-write.db'), RAW_EVENTS);

// ---- The server, as `npm start` runs it. ----
/** User + system CPU seconds of a process so far, from /proc (Linux); NaN elsewhere. */
const processCpuSeconds = (pid: number | undefined): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat(5); after "pid (comm) " they are 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};

/**
 * CPU seconds of `pid`'s threads: its main thread (the event loop, and V8's work on it) and
 * the others (worker threads, V8's compiler and GC helpers, libuv's pool), by name where they
 * have one.
 */
const threadCpuSeconds = (pid: number | undefined): Map<string, number> => {
  const byName = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        // Node 20 names none of its threads: all are `node`, the main thread's id is the pid.
        const name = tid === String(pid) ? 'main thread' : comm === 'node' ? 'other threads' : comm;
        const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
        const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
        byName.set(name, (byName.get(name) ?? 0) + seconds);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    // the process ended
  }
  return byName;
};

// The metrics part runs its server from the sources: only `npm start`'s needs dist/.
const build =
  PART === 'metrics'
    ? undefined
    : spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
if (build !== undefined && build.status !== 0) {
  console.error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  /** Where `/metrics` is served (the app's own URL unless apart). */
  readonly metricsUrl?: string;
  /** The listening line: which store, which durability. */
  readonly banner: string;
  readonly adminToken: string;
  /** Error and fatal log lines (pino levels 50 and 60) and stderr, as the server runs. */
  readonly errorLines: string[];
  readonly stderr: string[];
}

/** A server's environment: `npm start`'s defaults on `data` and a free port on 127.0.0.1. */
const serverEnv = async (data: string): Promise<NodeJS.ProcessEnv> => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()) };
  env['HOST'] = '127.0.0.1';
  env['DOCKET_DATA_DIR'] = data;
  // Defaults for everything else: the SQLite store, synchronous=full, the built-in policy.
  for (const name of [
    'DOCKET_ROLES',
    'DOCKET_SQLITE_SYNCHRONOUS',
    'DOCKET_POLICY',
    'DOCKET_BODY_LIMIT',
    'DOCKET_ACCESS_LOG',
    'LOG_LEVEL',
    'ESDB_URL',
    'REDIS_URL',
    'DATABASE_URL',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
  ])
    delete env[name];
  return env;
};

/** Starts `node bin/docket.js serve` with npm start's defaults; resolves once it printed its admin token. */
const startServer = async (): Promise<Server> => {
  const env = await serverEnv(dataDir);
  // BENCH_PROFILE=<dir>: write a V8 CPU profile of the server there (open it in Chrome DevTools).
  const profile = process.env['BENCH_PROFILE'];
  const nodeFlags = profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`];
  const child = spawn(process.execPath, [...nodeFlags, join(root, 'bin', 'docket.js'), 'serve'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errorLines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  return new Promise<Server>((resolve, reject) => {
    let banner: string | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server printed no admin token in 30 s:\n${stderr.join('\n')}`));
    }, 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`the server exited (${code ?? signal}) while starting:\n${stderr.join('\n')}`),
      );
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (/"level":(50|60)/.test(line)) errorLines.push(line);
      if (line.startsWith('docket: listening on ')) banner = line;
      const token = /^\s+(dkt_\S+)\s*$/.exec(line)?.[1];
      if (token !== undefined && banner !== undefined) {
        clearTimeout(timer);
        const url = /^docket: listening on (\S+)/.exec(banner)![1]!;
        resolve({ child, url, banner, adminToken: token, errorLines, stderr });
      }
    });
  });
};

const stopServer = (child: ChildProcess) =>
  new Promise<number | string | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode ?? child.signalCode);
      return;
    }
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.removeAllListeners('exit');
    child.once('exit', (code, signal) => {
      clearTimeout(force);
      resolve(code ?? signal);
    });
    child.kill('SIGTERM');
  });

const post = async (url: string, token: string, body: object): Promise<unknown> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res.json();
};

// ---- The cycle every connection loops over. ----
const openBody = {
  line: 'technical',
  severity: 'B',
  category: 'exchange-autodiscover',
  title: 'Outlook cannot find the mailbox',
  description: 'Autodiscover fails for every user since this morning.',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};

/** What one run saw beyond autocannon's own counters. */
interface Tally {
  cycles: number;
  /** `command status` → count, for every non-2xx response. */
  failures: Map<string, number>;
  /** The first few failing responses, verbatim. */
  samples: string[];
}
/** One connection's state between the requests of a cycle (autocannon resets it each loop). */
interface CycleContext {
  caseId?: string;
}

/** A falsy `setupRequest` result restarts the request list (README); the types omit it. */
const restartCycle = undefined as unknown as autocannon.Request;

/**
 * The cycle's requests; with `requestIds`, each request carries an X-Request-Id and a W3C
 * traceparent of its own (as behind a proxy or a traced caller).
 */
const cycle = (
  tokens: { ada: string; li: string },
  tally: Tally,
  requestIds = false,
): autocannon.Request[] => {
  const headers = (token: string) => ({
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  });
  const traceBase = randomBytes(12).toString('hex');
  let serial = 0;
  // The same work for both variants but for the two headers themselves.
  const withIds = (request: autocannon.Request): autocannon.Request => {
    const n = (++serial).toString(16).padStart(16, '0');
    const ids = requestIds
      ? { 'x-request-id': `bench-${n}`, traceparent: `00-${traceBase}${n.slice(-8)}-${n}-01` }
      : {};
    return { ...request, headers: { ...request.headers, ...ids } };
  };
  const failed = (command: string, status: number, body: string, context: CycleContext) => {
    const key = `${command} ${status}`;
    tally.failures.set(key, (tally.failures.get(key) ?? 0) + 1);
    if (tally.samples.length < 5) tally.samples.push(`${key}: ${body.slice(0, 300)}`);
    // The rest of this cycle would fail too: start the next one with an open.
    delete context.caseId;
  };
  const open: autocannon.Request = {
    method: 'POST',
    path: '/cases',
    headers: headers(tokens.ada),
    body: JSON.stringify(openBody),
    // Built per request in both variants (a setupRequest makes autocannon build each one), so
    // ids cost the load generator no more than no ids do.
    setupRequest: withIds,
    onResponse: (status, body, context) => {
      const ctx = context as CycleContext;
      if (status !== 201) return failed('open', status, body, ctx);
      ctx.caseId = (JSON.parse(body) as { case: { id: string } }).case.id;
    },
  };
  const step = (command: string, token: string, body: object): autocannon.Request => ({
    method: 'POST',
    headers: headers(token),
    body: JSON.stringify(body),
    // No case (its open or an earlier step failed): autocannon restarts the cycle.
    setupRequest: (request, context) => {
      const caseId = (context as CycleContext).caseId;
      return caseId === undefined
        ? restartCycle
        : withIds({ ...request, path: `/cases/${caseId}/${command}` });
    },
    onResponse: (status, responseBody, context) => {
      if (status !== 200) return failed(command, status, responseBody, context);
      if (command === 'resolve') tally.cycles++;
    },
  });
  return [
    open,
    step('respond', tokens.li, { message: 'We are looking into it.' }),
    step('requestInfo', tokens.li, { message: 'Which Outlook version do your users run?' }),
    step('customerReply', tokens.ada, { message: 'Outlook 2016, on Windows 10.' }),
    step('resolve', tokens.li, { reason: 'fixed', summary: 'The autodiscover CNAME was fixed.' }),
  ];
};

const load = async (
  url: string,
  tokens: { ada: string; li: string },
  seconds: number,
  requestIds = false,
) => {
  const tally: Tally = { cycles: 0, failures: new Map(), samples: [] };
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    requests: cycle(tokens, tally, requestIds),
  });
  return { result, tally };
};

/**
 * Live lag of the read models in the real topology: while the load runs, a probe tenant's
 * admin opens a case, and from the instant the open is acknowledged polls `GET /queues/agent`
 * (its tenant's view) until the case is there; then an agent responds and resolves it, which
 * takes it out of the queue again, and the probe waits 50 ms before the next one.
 */
const probeLiveLag = async (
  url: string,
  tokens: { probe: string; li: string },
  done: () => boolean,
): Promise<number[]> => {
  const lags: number[] = [];
  const call = async (token: string, method: string, path: string, body?: object) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  while (!done()) {
    const opened = await call(tokens.probe, 'POST', '/cases', openBody);
    const acknowledged = performance.now();
    const caseId = (opened.case as { id: string }).id;
    for (;;) {
      const queue = await call(tokens.probe, 'GET', '/queues/agent?limit=200');
      if ((queue.items as Array<{ id: string }>).some((row) => row.id === caseId)) {
        lags.push(performance.now() - acknowledged);
        break;
      }
      if (performance.now() - acknowledged > 10_000) throw new Error(`${caseId} never queued`);
      await pause(2);
    }
    await call(tokens.li, 'POST', `/cases/${caseId}/respond`, { message: 'On it.' });
    await call(tokens.li, 'POST', `/cases/${caseId}/resolve`, {
      reason: 'fixed',
      summary: 'Done.',
    });
    await pause(50);
  }
  return lags.sort((a, b) => a - b);
};

/** Events in case streams so far, read from the server's file (WAL: a reader beside the writer). */
const countCaseEvents = (): number | undefined => {
  try {
    const db = new Database(join(dataDir, 'docket.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db
        .prepare("SELECT count(*) AS n FROM events WHERE stream_id LIKE 'case-%'")
        .get() as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
};

// ---- Part 1: the server as `npm start` runs it. ----
const servePart = async () => {
  let server: Server | undefined;
  try {
    server = await startServer();
    const { url, adminToken } = server;
    await post(`${url}/tenants`, adminToken, {
      id: 'contoso',
      offering: '21vianet',
      advancedAgreement: true,
    });
    const issue = async (body: object) =>
      ((await post(`${url}/tokens`, adminToken, body)) as { token: string }).token;
    await post(`${url}/tenants`, adminToken, {
      id: 'probe-co',
      offering: '21vianet',
      advancedAgreement: true,
    });
    const tokens = {
      ada: await issue({ role: 'customer-admin', tenant: 'contoso', name: 'ada' }),
      li: await issue({ role: 'agent', name: 'li' }),
      probe: await issue({ role: 'customer-admin', tenant: 'probe-co', name: 'probe' }),
    };
    console.log(server.banner.replace(/^docket: /, 'server: node bin/docket.js serve, '));

    if (WARMUP_SECONDS > 0) {
      const warm = await load(url, tokens, WARMUP_SECONDS);
      console.log(
        `(warm-up, not counted: ${WARMUP_SECONDS} s, ${fmt(warm.result['2xx'])} commands, ${fmt(warm.result.non2xx)} non-2xx, ${fmt(warm.result.errors)} connection errors)`,
      );
    }
    const eventsBefore = countCaseEvents();
    const serverCpuBefore = processCpuSeconds(server.child.pid);
    const benchCpuBefore = process.cpuUsage();
    let loading = true;
    const probing = probeLiveLag(url, tokens, () => !loading);
    const { result, tally } = await load(url, tokens, SECONDS).finally(() => (loading = false));
    const lags = await probing;
    const serverCpu = processCpuSeconds(server.child.pid) - serverCpuBefore;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const eventsAfter = countCaseEvents();

    const ok = result['2xx'];
    const rate = ok / result.duration;
    const { p50, p90, p99, max } = result.latency;
    console.log(
      `HTTP, ${CONNECTIONS} connections, open → respond → requestInfo → customerReply → resolve: ${fmt(rate)} commands/s (${fmt(tally.cycles / result.duration)} cycles/s); ${fmt(ok)} commands in ${result.duration.toFixed(1)} s`,
    );
    console.log(`latency: p50 ${p50} ms, p90 ${p90} ms, p99 ${p99} ms, max ${max} ms`);
    console.log(
      `CPU during the run: server ${((serverCpu / result.duration) * 100).toFixed(0)} % of a core ` +
        `(${((serverCpu / Math.max(ok, 1)) * 1e6).toFixed(0)} µs per command), load generator ` +
        `${(((benchCpu.user + benchCpu.system) / 1e6 / result.duration) * 100).toFixed(0)} %`,
    );
    const lagAt = (q: number) =>
      Math.round(lags[Math.min(lags.length - 1, Math.floor((lags.length * q) / 100))] ?? NaN);
    console.log(
      `read-model lag (open acknowledged → row in /queues/agent, projector thread) over ${lags.length} probes: ` +
        `p50 ${lagAt(50)} ms, p99 ${lagAt(99)} ms, max ${Math.round(lags.at(-1) ?? NaN)} ms (target p99 ≤ 200 ms)`,
    );
    const failures = [...tally.failures].map(([key, n]) => `${key}: ${fmt(n)}`).join(', ');
    console.log(
      `non-2xx: ${fmt(result.non2xx)}${failures === '' ? '' : ` (${failures})`}; connection errors: ${fmt(result.errors)} (timeouts ${fmt(result.timeouts)}); cycles restarted: ${fmt(result.resets)}`,
    );
    for (const sample of tally.samples) console.log(`  e.g. ${sample}`);
    if (eventsBefore !== undefined && eventsAfter !== undefined)
      console.log(
        `case events appended: ${fmt(eventsAfter - eventsBefore)} (${((eventsAfter - eventsBefore) / Math.max(ok, 1)).toFixed(2)} per command)`,
      );
    console.log(
      `raw append ceiling: raw better-sqlite3, 1 event per transaction (FULL): ${fmt(rawWriteRate)} events/s; commands/s ÷ raw = ${(rate / rawWriteRate).toFixed(2)}`,
    );
    const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
    console.log(
      `targets: ≥ ${fmt(TARGET_RATE)} commands/s: ${verdict(rate >= TARGET_RATE)} (${fmt(rate)}); p99 ≤ ${TARGET_P99_MS} ms: ${verdict(p99 <= TARGET_P99_MS)} (${p99} ms); every response 2xx: ${verdict(result.non2xx === 0 && result.errors === 0)}`,
    );
    if (server.errorLines.length > 0) {
      console.log(`server logged ${server.errorLines.length} error(s); the first:`);
      for (const line of server.errorLines.slice(0, 3)) console.log(`  ${line.slice(0, 500)}`);
    }
  } finally {
    if (server !== undefined) {
      const exit = await stopServer(server.child);
      if (exit !== 0) {
        console.log(`server exit on SIGTERM: ${exit}`);
        for (const line of server.stderr.slice(-10)) console.log(`  ${line}`);
      }
    }
  }
};

// ---- Part 2: with metrics and request ids against without, side by side. ----
type Variant = 'without' | 'with';

/**
 * BENCH_CONTROL=on: the with server is started, loaded and read exactly as the without one (no
 * metrics, no ids, no scrapes): an A/A run, whose ratio shows how far apart two identical
 * servers come out, i.e. what difference this bench can tell from none.
 */
const CONTROL = process.env['BENCH_CONTROL'] === 'on';

/** Starts bench/httpAppServer.ts on `data`; resolves once it listens. */
const startAppServer = async (metricsOn: boolean, data: string): Promise<Server> => {
  const env = await serverEnv(data);
  env['BENCH_METRICS'] = metricsOn ? 'on' : 'off';
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_ARGS, '--import', 'tsx', join(root, 'bench', 'httpAppServer.ts')],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const errorLines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`httpAppServer did not listen in 60 s:\n${stderr.join('\n')}`));
    }, 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`httpAppServer exited (${code ?? signal}) while starting:\n${stderr.join('\n')}`),
      );
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (/"level":(50|60)/.test(line)) errorLines.push(line);
      const started = /^listening (\S+) (dkt_\S+)(?: (\S+))?$/.exec(line);
      if (started !== null) {
        clearTimeout(timer);
        resolve({
          child,
          url: started[1]!,
          metricsUrl: started[3] ?? started[1]!,
          banner: line,
          adminToken: started[2]!,
          errorLines,
          stderr,
        });
      }
    });
  });
};

/** One variant's server, set up and checked, ready for load. */
interface Contender {
  readonly variant: Variant;
  readonly server: Server;
  readonly data: string;
  readonly tokens: { ada: string; li: string };
  /** Whether its requests carry X-Request-Id and traceparent. */
  readonly requestIds: boolean;
  /** Whether `/metrics` is scraped every second while it runs. */
  readonly scraped: boolean;
}

/** What one measured run of a variant gave. */
interface Phase {
  readonly variant: Variant;
  readonly rate: number;
  readonly p99: number;
  /** Server CPU (all threads) per command, µs. */
  readonly cpuPerCommand: number;
  /** The same by thread name, µs per command. */
  readonly threadsPerCommand: ReadonlyMap<string, number>;
  readonly failed: number;
  readonly scrapes: number;
  /** Mean time a scrape of `/metrics` took to answer, ms (NaN: not scraped). */
  readonly scrapeMs: number;
}

/** A fresh server and data directory for `variant`: started, a tenant and two tokens made, checked. */
const contender = async (variant: Variant, serial: number): Promise<Contender> => {
  const data = join(dir, `${variant}-${serial}`);
  const withMetrics = variant === 'with' && !CONTROL;
  const server = await startAppServer(withMetrics, data);
  const requestIds = withMetrics && process.env['BENCH_REQUEST_IDS'] !== 'off';
  try {
    const { url, adminToken } = server;
    await post(`${url}/tenants`, adminToken, {
      id: 'contoso',
      offering: '21vianet',
      advancedAgreement: true,
    });
    const issue = async (body: object) =>
      ((await post(`${url}/tokens`, adminToken, body)) as { token: string }).token;
    const tokens = {
      ada: await issue({ role: 'customer-admin', tenant: 'contoso', name: 'ada' }),
      li: await issue({ role: 'agent', name: 'li' }),
    };
    // What the variant is: ids echoed (both variants make one), /metrics served or not (not a
    // route without metrics: 401, as any unknown path asked without a token).
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const probe = await fetch(`${url}/health`, {
      headers: requestIds ? { 'x-request-id': 'bench-probe', traceparent } : {},
    });
    const echoed = probe.headers.get('x-request-id');
    if (echoed === null || (requestIds && echoed !== 'bench-probe'))
      throw new Error(`${variant}: X-Request-Id not echoed as expected (${echoed})`);
    if (requestIds && probe.headers.get('traceparent') !== traceparent)
      throw new Error(`${variant}: traceparent not echoed`);
    const metricsStatus = (await fetch(`${server.metricsUrl ?? url}/metrics`)).status;
    if ((metricsStatus === 200) !== withMetrics)
      throw new Error(`${variant}: GET /metrics answered ${metricsStatus}`);
    return { variant, server, data, tokens, requestIds, scraped: withMetrics && SCRAPING };
  } catch (error) {
    await stopServer(server.child);
    throw error;
  }
};

const dismiss = async ({ variant, server, data }: Contender) => {
  const exit = await stopServer(server.child);
  if (exit !== 0) {
    console.log(`  (${variant}: server exit on SIGTERM: ${exit})`);
    for (const line of server.stderr.slice(-10)) console.log(`    ${line}`);
  }
  rmSync(data, { recursive: true, force: true });
};

/** One scrape of `url`'s `/metrics`, checked; resolves to the ms it took to answer. */
const scrapeOnce = async (url: string): Promise<number> => {
  const started = performance.now();
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  if (res.status !== 200 || !text.includes('docket_commands_total'))
    throw new Error(`GET /metrics: ${res.status} ${text.slice(0, 200)}`);
  return performance.now() - started;
};

/** Prometheus's scrapes of `url`, every second until `loading()` is false. */
const scrape = async (url: string, loading: () => boolean) => {
  let scrapes = 0;
  let spent = 0;
  while (loading()) {
    const took = await scrapeOnce(url);
    scrapes++;
    spent += took;
    const wait = SCRAPE_EVERY_MS - took;
    if (wait > 0 && loading()) await new Promise((r) => setTimeout(r, wait));
  }
  return { scrapes, scrapeMs: scrapes === 0 ? Number.NaN : spent / scrapes };
};

/**
 * Both contenders under the same load at the same time (each its own 32 connections), so both
 * see the same VM: what a neighbour or the host takes from one it takes from the other.
 */
const race = async (contenders: readonly Contender[]): Promise<Phase[]> => {
  if (METRICS_WARMUP_SECONDS > 0) {
    let warming = true;
    const warmScrapes = contenders.map((c) =>
      c.scraped && WARM_SCRAPES
        ? scrape(c.server.metricsUrl ?? c.server.url, () => warming)
        : Promise.resolve(undefined),
    );
    await Promise.all(
      contenders.map((c) => load(c.server.url, c.tokens, METRICS_WARMUP_SECONDS, c.requestIds)),
    ).finally(() => (warming = false));
    await Promise.all(warmScrapes);
  }
  if (SCRAPE === 'once')
    for (const c of contenders.filter((c) => c.variant === 'with' && !CONTROL))
      await scrapeOnce(c.server.metricsUrl ?? c.server.url);
  const cpuBefore = contenders.map((c) => processCpuSeconds(c.server.child.pid));
  const threadsBefore = contenders.map((c) => threadCpuSeconds(c.server.child.pid));
  let loading = true;
  const scrapes = contenders.map((c) =>
    c.scraped
      ? scrape(c.server.metricsUrl ?? c.server.url, () => loading)
      : Promise.resolve(undefined),
  );
  const loads = await Promise.all(
    contenders.map((c) => load(c.server.url, c.tokens, METRICS_SECONDS, c.requestIds)),
  ).finally(() => (loading = false));
  const scraped = await Promise.all(scrapes);
  return contenders.map((c, i) => {
    const cpu = processCpuSeconds(c.server.child.pid) - cpuBefore[i]!;
    const { result } = loads[i]!;
    if (c.server.errorLines.length > 0)
      console.log(
        `  (${c.variant}: the server logged ${c.server.errorLines.length} error(s): ${c.server.errorLines[0]!.slice(0, 300)})`,
      );
    const ok = result['2xx'];
    const threadsPerCommand = new Map<string, number>();
    for (const [name, seconds] of threadCpuSeconds(c.server.child.pid))
      threadsPerCommand.set(
        name,
        ((seconds - (threadsBefore[i]!.get(name) ?? 0)) / Math.max(ok, 1)) * 1e6,
      );
    return {
      variant: c.variant,
      threadsPerCommand,
      rate: ok / result.duration,
      p99: result.latency.p99,
      cpuPerCommand: (cpu / Math.max(ok, 1)) * 1e6,
      failed: result.non2xx + result.errors,
      scrapes: scraped[i]?.scrapes ?? 0,
      scrapeMs: scraped[i]?.scrapeMs ?? Number.NaN,
    };
  });
};

const metricsPart = async () => {
  console.log(
    `metrics and request ids${CONTROL ? ' (BENCH_CONTROL=on: A/A, both without)' : ''}: ${PAIRS} pairs of ${METRICS_SECONDS} s runs (after ${METRICS_WARMUP_SECONDS} s warm-ups${SCRAPING && WARM_SCRAPES ? ', scraped as the runs' : ''}), the two servers of a pair (fresh bench/httpAppServer.ts each) loaded at the same time`,
  );
  const pairs: Array<Record<Variant, Phase>> = [];
  let serial = 0;
  for (let pair = 1; pair <= PAIRS; pair++) {
    // Started one after the other, in turn first: whatever being started first gives, each gets.
    const order: Variant[] = pair % 2 === 1 ? ['without', 'with'] : ['with', 'without'];
    const contenders: Contender[] = [];
    try {
      for (const variant of order) contenders.push(await contender(variant, ++serial));
      const phases = await race(contenders);
      const got: Partial<Record<Variant, Phase>> = {};
      for (const p of phases) got[p.variant] = p;
      for (const variant of ['without', 'with'] as const) {
        const p = got[variant]!;
        console.log(
          `  pair ${pair}, ${variant.padEnd(7)}: ${fmt(p.rate)} commands/s, p99 ${p.p99} ms, ` +
            `server ${fmt(p.cpuPerCommand)} µs per command, ${fmt(p.failed)} non-2xx or errors` +
            (p.scrapes > 0
              ? `, ${p.scrapes} scrapes of /metrics (${p.scrapeMs.toFixed(1)} ms each)`
              : ''),
        );
      }
      pairs.push(got as Record<Variant, Phase>);
    } finally {
      for (const c of contenders) await dismiss(c);
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
  };
  const of = (variant: Variant, figure: 'rate' | 'cpuPerCommand' | 'p99') =>
    pairs.map((p) => p[variant][figure]);
  const range = (values: number[]) =>
    `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}`;
  const rateRatios = pairs.map((p) => p.with.rate / p.without.rate);
  const cpuRatios = pairs.map((p) => p.with.cpuPerCommand / p.without.cpuPerCommand);
  const rateRatio = median(rateRatios);
  const cpuRatio = median(cpuRatios);
  console.log(
    `without: ${fmt(mean(of('without', 'rate')))} commands/s, ${fmt(mean(of('without', 'cpuPerCommand')))} µs per command, p99 ${fmt(mean(of('without', 'p99')))} ms (means)`,
  );
  console.log(
    `with:    ${fmt(mean(of('with', 'rate')))} commands/s, ${fmt(mean(of('with', 'cpuPerCommand')))} µs per command, p99 ${fmt(mean(of('with', 'p99')))} ms (means)`,
  );
  console.log(
    `with ÷ without, median of the pairs: commands/s ${rateRatio.toFixed(3)} (pairs ${range(rateRatios)}); server CPU per command ${cpuRatio.toFixed(3)} (pairs ${range(cpuRatios)})`,
  );
  if (pairs.length > 0) {
    const names = [
      ...new Set(
        pairs.flatMap((p) => [
          ...p.with.threadsPerCommand.keys(),
          ...p.without.threadsPerCommand.keys(),
        ]),
      ),
    ].sort();
    console.log('server CPU per command by thread, µs (means of the pairs), without → with:');
    for (const name of names) {
      const w = mean(pairs.map((p) => p.without.threadsPerCommand.get(name) ?? 0));
      const x = mean(pairs.map((p) => p.with.threadsPerCommand.get(name) ?? 0));
      console.log(`  ${name.padEnd(16)} ${w.toFixed(1).padStart(7)} → ${x.toFixed(1).padStart(7)}`);
    }
  }
  const failed = pairs.some((p) => p.with.failed + p.without.failed > 0);
  console.log(
    `target: with within ${MAX_OVERHEAD * 100} % of without: ${rateRatio >= 1 - MAX_OVERHEAD && cpuRatio <= 1 + MAX_OVERHEAD ? 'met' : 'MISSED'} (commands/s ${((rateRatio - 1) * 100).toFixed(1)} %, CPU per command ${((cpuRatio - 1) * 100).toFixed(1)} %); every response 2xx: ${failed ? 'MISSED' : 'met'}`,
  );
};

try {
  if (PART !== 'metrics') await servePart();
  if (PART !== 'serve') await metricsPart();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
