import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import type { RecordedEvent } from '../../src/application/eventStore.js';
import { defaultPolicyDocument } from '../../src/domain/policy/defaultPolicy.js';
import { openBody } from '../specs/httpSpec.js';

/**
 * Helpers for the fleet tests and the failover benchmark: `docket serve` processes started as
 * children with the roles given (`bin/docket.js`, so `npm run build` first), their structured
 * log read as it comes, polling with a deadline, and the case calls the tests make.
 */

/** The repository (where `bin/docket.js` is). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** One line of a process's structured log (pino: `time` in epoch ms, `msg`). */
export interface LogLine {
  readonly time: number;
  readonly level: number;
  readonly msg: string;
}

/** Thrown by a probe of `eventually` to stop polling at once (what it waits for cannot come). */
export class GiveUp extends Error {}

/**
 * Polls `probe` until it returns a value other than undefined, or fails naming `what` (at the
 * deadline, or at once when the probe throws GiveUp; other errors are retried).
 */
export const eventually = async <T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { readonly timeoutMs?: number; readonly everyMs?: number } = {},
): Promise<T> => {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      const why =
        last === undefined
          ? ''
          : ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})`;
      throw new Error(
        `timed out after ${options.timeoutMs ?? 20_000} ms waiting for ${what}${why}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.everyMs ?? 50));
  }
};

/** A `docket serve` child process. */
export class DocketProcess {
  readonly #child: ChildProcess;
  readonly exited: Promise<number | null>;
  #stdout = '';
  #stderr = '';
  #exitCode: number | null | undefined;
  url = '';

  private constructor(
    readonly name: string,
    child: ChildProcess,
  ) {
    this.#child = child;
    child.stdout?.on('data', (d: Buffer) => (this.#stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.#stderr += d.toString()));
    this.exited = new Promise((done) =>
      child.on('exit', (code, signal) => {
        this.#exitCode = code ?? (signal === null ? null : -1);
        done(code);
      }),
    );
  }

  /** Starts `docket serve` with `roles` and resolves once it prints the address it listens on. */
  static async start(
    name: string,
    roles: string,
    env: Record<string, string>,
    timeoutMs = 20_000,
  ): Promise<DocketProcess> {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/docket.js'), 'serve'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env, DOCKET_ROLES: roles },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new DocketProcess(name, child);
    live.add(started);
    await eventually(
      `${name} (${roles}) to listen`,
      () => {
        if (started.#exitCode !== undefined)
          throw new GiveUp(`${name} exited (${started.#exitCode}): ${started.output()}`);
        const url = /docket: listening on (http:\/\/\S+)/.exec(started.#stdout)?.[1];
        if (url !== undefined) started.url = url;
        return url;
      },
      { timeoutMs, everyMs: 20 },
    ).catch(async (error: unknown) => {
      await started.kill();
      throw error;
    });
    return started;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return this.#exitCode === undefined;
  }

  /** The first admin token, printed by an `api` process on a fresh store. */
  get adminToken(): string | undefined {
    return /\n {2}(dkt_[A-Za-z0-9_-]+)\n/.exec(this.#stdout)?.[1];
  }

  /** Everything it wrote, for failure messages. */
  output(): string {
    return `--- ${this.name} stdout\n${this.#stdout}\n--- ${this.name} stderr\n${this.#stderr}`;
  }

  /** Its structured log so far. */
  logs(): LogLine[] {
    const lines: LogLine[] = [];
    for (const text of this.#stdout.split('\n')) {
      if (!text.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        // a line still being written
      }
    }
    return lines;
  }

  /** The log lines whose message matches `pattern`. */
  logged(pattern: RegExp): LogLine[] {
    return this.logs().filter((line) => pattern.test(line.msg));
  }

  /** Waits for the `n`th log line matching `pattern` (the first by default). */
  waitForLog(pattern: RegExp, options: { n?: number; timeoutMs?: number } = {}): Promise<LogLine> {
    const n = options.n ?? 1;
    return eventually(
      `${this.name} to log ${String(pattern)}${n > 1 ? ` (${n} times)` : ''}`,
      () => {
        const line = this.logged(pattern)[n - 1];
        if (line === undefined && !this.alive)
          throw new GiveUp(`${this.name} exited (${this.#exitCode}): ${this.output()}`);
        return line;
      },
      { timeoutMs: options.timeoutMs ?? 20_000, everyMs: 20 },
    );
  }

  /** Sends `signal` (SIGKILL by default) and resolves once the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) this.#child.kill(signal);
    await this.exited;
    live.delete(this);
  }
}

/** Every child still running; killed when this process exits, whatever happened. */
const live = new Set<DocketProcess>();
process.once('exit', () => {
  for (const p of live) if (p.alive && p.pid !== undefined) process.kill(p.pid, 'SIGKILL');
});

/** SIGKILLs every `docket serve` child this test process started and still runs. */
export const killAll = async (): Promise<void> => {
  await Promise.all([...live].map((p) => p.kill()));
};

/** A temporary folder, and a way to remove it. */
export const tempDir = (what: string) => {
  const path = mkdtempSync(join(tmpdir(), `docket-fleet-${what}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
};

/**
 * Writes a policy file whose 21Vianet technical B response target is `seconds` on the 24×7
 * calendar, under a version of its own; returns its path.
 */
export const writeShortPolicy = (dir: string, seconds: number): string => {
  const policy = structuredClone(defaultPolicyDocument) as typeof defaultPolicyDocument & {
    version: string;
  };
  policy.version = `fleet-${seconds}s-${randomUUID().slice(0, 8)}`;
  const b = policy.offerings['21vianet']!.lines['technical']!.severities.B!;
  b.responseTarget = { seconds };
  b.calendar = '24x7';
  const path = join(dir, 'policy.json');
  writeFileSync(path, JSON.stringify(policy));
  return path;
};

/** A `DATABASE_URL` whose connections use `schema` (`options=-c search_path=<schema>`). */
export const databaseUrlWithSchema = (url: string, schema: string): string => {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
};

/** A free TCP port on 127.0.0.1 (the OS's pick, released at once). */
export const freePort = () =>
  new Promise<number>((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });

const call = async (url: string, token: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Registers tenant `contoso` (21Vianet) and returns a customer-admin token of it. */
export const customerToken = async (url: string, admin: string): Promise<string> => {
  const tenant = await call(url, admin, 'POST', '/tenants', {
    id: 'contoso',
    offering: '21vianet',
    advancedAgreement: true,
  });
  if (tenant.status !== 201) throw new Error(`POST /tenants: ${JSON.stringify(tenant)}`);
  const issued = await call(url, admin, 'POST', '/tokens', {
    role: 'customer-admin',
    tenant: 'contoso',
    name: 'ada',
  });
  if (issued.status !== 201) throw new Error(`POST /tokens: ${JSON.stringify(issued)}`);
  return issued.body.token as string;
};

/** A case opened over HTTP (technical B): its id and response due instant (epoch ms). */
export interface OpenedCase {
  readonly id: string;
  readonly dueAt: number;
}

/** Opens a technical B case as the customer; throws unless it is 201. */
export const openCase = async (url: string, token: string): Promise<OpenedCase> => {
  const res = await call(url, token, 'POST', '/cases', openBody);
  if (res.status !== 201) throw new Error(`POST /cases on ${url}: ${JSON.stringify(res)}`);
  const view = res.body.case as { id: string; response: { dueAt: string } };
  return { id: view.id, dueAt: Date.parse(view.response.dueAt) };
};

/** The ResponseDeadlineBreached events of the log, by case. */
export const breachesByCase = async (
  store: SqliteEventStore,
): Promise<Map<string, RecordedEvent[]>> => {
  const byCase = new Map<string, RecordedEvent[]>();
  for await (const event of store.readAll()) {
    if (event.type !== 'ResponseDeadlineBreached') continue;
    const caseId = event.metadata.caseId ?? event.streamId;
    byCase.set(caseId, [...(byCase.get(caseId) ?? []), event]);
  }
  return byCase;
};

/** Opens the event store of a data directory the fleet shares (to read it). */
export const openSharedStore = (dataDir: string): SqliteEventStore =>
  new SqliteEventStore({ path: join(dataDir, 'docket.db') });

/** Lateness of each breach (its occurredAt minus its dueAt), in ms, sorted. */
export const latenesses = (breaches: Iterable<RecordedEvent[]>): number[] =>
  [...breaches]
    .flat()
    .map((e) => Date.parse(e.metadata.occurredAt) - Date.parse((e.data as { dueAt: string }).dueAt))
    .sort((a, b) => a - b);

/** The `p`th percentile of sorted values (nearest rank). */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/** The Redis server program the tests start (`REDIS_SERVER` overrides it). */
export const redisServerProgram = process.env.REDIS_SERVER ?? 'redis-server';

/**
 * A Redis server of the test's own (`redis-server` on a free port, persistence off), which the
 * test may stop and start again: it comes back empty.
 */
export class OwnRedis {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #log = '';

  private constructor(readonly port: number) {}

  /** Starts one on a free port (another, should something take that port meanwhile). */
  static async start(): Promise<OwnRedis> {
    for (let attempt = 1; ; attempt++) {
      const redis = new OwnRedis(await freePort());
      try {
        await redis.restart();
        return redis;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, empty) and resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.#child !== undefined) throw new Error('redis-server is running');
    const child = spawn(
      redisServerProgram,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (d: Buffer) => (this.#log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.#log += d.toString()));
    this.#child = child;
    redisServers.add(child);
    this.#exited = new Promise((done) => {
      const ended = () => {
        redisServers.delete(child);
        if (this.#child === child) this.#child = undefined;
        done();
      };
      child.on('exit', ended);
      // It could not be started (not installed: ENOENT).
      child.on('error', (error) => {
        this.#log += String(error);
        ended();
      });
    });
    await eventually(
      `redis-server on port ${this.port} to answer PING`,
      async () => {
        if (this.#child !== child)
          throw new GiveUp(`${redisServerProgram} on port ${this.port} ended: ${this.#log}`);
        const client = new Redis(this.url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
          enableOfflineQueue: false,
        });
        client.on('error', () => undefined);
        try {
          await client.connect();
          return (await client.ping()) === 'PONG' ? true : undefined;
        } finally {
          client.disconnect();
        }
      },
      { timeoutMs: 10_000, everyMs: 50 },
    );
  }

  /** Stops the server (SIGTERM by default) and resolves once it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.#child?.kill(signal);
    await this.#exited;
  }
}

const redisServers = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of redisServers) child.kill('SIGKILL');
});
