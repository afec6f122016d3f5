import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import { openBody } from '../specs/httpSpec.js';

/**
 * `docket serve` — what `npm start` runs — as a child process over a real socket, with the
 * embedded default (SQLite under DOCKET_DATA_DIR). `npm test` builds dist/ first.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'docket-serve-'));
const env = { ...process.env, DOCKET_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' };

interface Server {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const start = async (extraEnv: Record<string, string> = {}): Promise<Server> => {
  const child = spawn(process.execPath, ['bin/docket.js', 'serve'], {
    env: { ...env, ...extraEnv },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearInterval(poll);
        resolve(match[1]);
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`serve exited with ${code}: ${stderr}`));
    });
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited };
};

const stop = async (server: Server) => {
  server.child.kill('SIGTERM');
  return server.exited;
};

const call = async (
  server: Server,
  token: string,
  method: string,
  path: string,
  body?: unknown,
) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
};

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/docket.js', ...args], { env, encoding: 'utf8' });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('docket serve (npm start)', () => {
  let caseId = '';

  it('first start: prints an admin token once; the whole flow works over a real socket', async () => {
    const server = await start();
    try {
      const admin = /(dkt_[A-Za-z0-9_-]+)/.exec(server.stdout())?.[1];
      expect(admin, server.stdout()).toBeDefined();
      expect(server.stdout()).toMatch(/docket tokens create --role agent/);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      const anonymous = await fetch(`${server.url}/cases/x`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);

      expect(
        (
          await call(server, admin!, 'POST', '/tenants', {
            id: 'contoso',
            offering: '21vianet',
            advancedAgreement: true,
          })
        ).status,
      ).toBe(201);
      // Tokens issued by the CLI against the same store work at once in the running service.
      const issue = cli(
        'tokens',
        'create',
        '--role',
        'customer-admin',
        '--tenant',
        'contoso',
        '--name',
        'ada',
        '--json',
      );
      expect(issue.status, issue.stderr).toBe(0);
      const ada = (JSON.parse(issue.stdout) as { token: string }).token;
      const agent = cli('tokens', 'create', '--role', 'agent', '--name', 'li').stdout.split(
        '\n',
      )[0]!;

      const opened = await call(server, ada, 'POST', '/cases', openBody);
      expect(opened.status).toBe(201);
      caseId = (opened.body.case as { id: string }).id;
      const responded = await call(server, agent, 'POST', `/cases/${caseId}/respond`, {
        message: 'on it',
      });
      expect(responded.status).toBe(200);
      expect(responded.body.case).toMatchObject({ state: 'responded', revision: 1 });
      // The projector runs in its own thread: the case reaches the agent queue shortly after.
      const deadline = Date.now() + 10_000;
      let queued: Array<{ id: string; state: string }> = [];
      while (Date.now() < deadline) {
        const queue = await call(server, agent, 'GET', '/queues/agent');
        expect(queue.status).toBe(200);
        queued = queue.body.items as typeof queued;
        if (queued.some((row) => row.id === caseId && row.state === 'responded')) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(queued).toContainEqual(expect.objectContaining({ id: caseId, state: 'responded' }));
      const malformed = await fetch(`${server.url}/cases/${caseId}/respond`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
        body: '{"message": ',
      });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ code: 'validation' });
    } finally {
      expect(await stop(server)).toBe(0);
    }
    expect(server.stderr()).toMatch(/SIGTERM: finishing in-flight requests/);
  });

  it('restarts on the same data: no new admin token, the case is still there', async () => {
    const server = await start();
    try {
      expect(server.stdout()).not.toMatch(/dkt_/);
      const auditor = cli('tokens', 'create', '--role', 'auditor').stdout.split('\n')[0]!;
      const read = await call(server, auditor, 'GET', `/cases/${caseId}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: caseId, state: 'responded', revision: 1 });
    } finally {
      await stop(server);
    }
  });

  it('SIGTERM lets in-flight requests finish and leaves an intact store', async () => {
    const server = await start();
    const token = cli('tokens', 'create', '--role', 'agent', '--name', 'mei').stdout.split(
      '\n',
    )[0]!;
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      call(server, token, 'POST', `/cases/${caseId}/addNote`, { text: `n${i}` }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    server.child.kill('SIGTERM');
    const outcomes = await Promise.allSettled(inFlight);
    expect(await server.exited).toBe(0);
    // Requests in flight were finished; those arriving during shutdown were told to retry
    // (503 problem details); those after it could not connect. None was left hanging.
    for (const o of outcomes) {
      if (o.status === 'fulfilled' && o.value.status !== 200)
        expect(o.value.body).toMatchObject({ status: 503, code: 'unavailable' });
    }
    const accepted = outcomes.filter(
      (o) => o.status === 'fulfilled' && o.value.status === 200,
    ).length;
    const store = new SqliteEventStore({ path: join(dataDir, 'docket.db') });
    try {
      let notes = 0;
      for await (const e of store.readStream(`case-${caseId}`)) if (e.type === 'NoteAdded') notes++;
      expect(notes).toBe(accepted);
    } finally {
      await store.close();
    }
  });

  it('DOCKET_ADMIN_TOKEN_FILE gets the first admin token (mode 0600) instead of stdout; /metrics counts commands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docket-serve-token-'));
    const tokenFile = join(dir, 'admin-token');
    try {
      const server = await start({ DOCKET_DATA_DIR: dir, DOCKET_ADMIN_TOKEN_FILE: tokenFile });
      try {
        expect(server.stdout()).not.toMatch(/dkt_/);
        expect(server.stdout()).toContain(`written to ${tokenFile}`);
        expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
        const admin = readFileSync(tokenFile, 'utf8').trim();
        expect(admin).toMatch(/^dkt_/);
        const tenant = await call(server, admin, 'POST', '/tenants', {
          id: 'contoso',
          offering: '21vianet',
          advancedAgreement: true,
        });
        expect(tenant.status).toBe(201);
        const issued = await call(server, admin, 'POST', '/tokens', {
          role: 'customer-admin',
          tenant: 'contoso',
          name: 'ada',
        });
        const opened = await call(server, issued.body.token as string, 'POST', '/cases', openBody);
        expect(opened.status).toBe(201);
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        expect(metrics).toMatch(/^docket_calendar_horizon_days\{calendar="cn-business-hours"\} /m);
        expect(metrics).toMatch(/^docket_commands_total\{command="open",outcome="ok"\} 1$/m);
        expect(metrics).toMatch(/^docket_process_cpu_user_seconds_total /m);
      } finally {
        expect(await stop(server)).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('DOCKET_METRICS_PORT: /metrics (and /health, /ready) served on that port, not on the API port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docket-serve-metrics-port-'));
    try {
      const server = await start({ DOCKET_DATA_DIR: dir, DOCKET_METRICS_PORT: '0' });
      try {
        const metricsUrl = /docket: metrics on (http:\/\/\S+)\/metrics\n/.exec(
          server.stdout(),
        )?.[1];
        expect(metricsUrl).toBeDefined();
        expect(metricsUrl).not.toBe(server.url);
        const admin = /^\s+(dkt_\S+)\s*$/m.exec(server.stdout())?.[1] as string;
        const tenant = await call(server, admin, 'POST', '/tenants', {
          id: 'contoso',
          offering: '21vianet',
          advancedAgreement: true,
        });
        expect(tenant.status).toBe(201);
        const scraped = await fetch(`${metricsUrl}/metrics`);
        expect(scraped.status).toBe(200);
        const text = await scraped.text();
        expect(text).toMatch(/^# TYPE docket_commands_total counter$/m);
        expect(text).toMatch(/^docket_process_cpu_user_seconds_total /m);
        expect((await fetch(`${metricsUrl}/health`)).status).toBe(200);
        // The API's port no longer answers /metrics (an unknown path asked without a token).
        expect((await fetch(`${server.url}/metrics`)).status).not.toBe(200);
        expect((await fetch(`${server.url}/health`)).status).toBe(200);
      } finally {
        expect(await stop(server)).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT: a span per request reaches the collector, flushed at SIGTERM', async () => {
    const bodies: string[] = [];
    const collector = createServer((request, response) => {
      let body = '';
      request.on('data', (d: Buffer) => (body += d.toString()));
      request.on('end', () => {
        if (request.url === '/v1/traces') bodies.push(body);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = collector.address() as AddressInfo;
      const server = await start({
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_SERVICE_NAME: 'docket-e2e',
      });
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await fetch(`${server.url}/cases/nothing-here`, {
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      });
      expect(res.status).toBe(401);
      expect(await stop(server)).toBe(0);
      const spans = bodies.join('\n');
      expect(spans).toContain(traceId);
      expect(spans).toContain('docket-e2e');
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });

  it('a bad configuration names each variable and exits non-zero', () => {
    const run = spawnSync(process.execPath, ['bin/docket.js', 'serve'], {
      env: {
        ...env,
        PORT: 'eighty',
        DOCKET_SQLITE_SYNCHRONOUS: 'sometimes',
        REDIS_URL: 'localhost',
      },
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/PORT/);
    expect(run.stderr).toMatch(/DOCKET_SQLITE_SYNCHRONOUS/);
    expect(run.stderr).toMatch(/REDIS_URL: a URL like redis:\/\//);
  });

  it('tokens create refuses bad requests with a message and a non-zero exit', () => {
    for (const args of [
      ['--role', 'customer-admin'],
      ['--role', 'customer-admin', '--tenant', 'nobody'],
      ['--role', 'timer'],
      ['--role', 'agent', '--tenant', 'contoso'],
    ]) {
      const run = cli('tokens', 'create', ...args);
      expect(run.status, args.join(' ')).not.toBe(0);
      expect(run.stderr, args.join(' ')).toMatch(/^docket: /);
      expect(run.stdout).toBe('');
    }
  });
});
