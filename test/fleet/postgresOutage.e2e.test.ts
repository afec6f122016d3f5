import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailability, type TestSchema } from '../specs/postgresSpec.js';
import {
  customerToken,
  databaseUrlWithSchema,
  DocketProcess,
  eventually,
  freePort,
  killAll,
  openCase,
  tempDir,
} from './fleet.js';

/**
 * PostgreSQL away when the service starts (#15): `docket serve` (all roles) reaches its read
 * models through a TCP relay the test owns, closed at first. The service starts anyway and says
 * it is not ready, naming the read models; commands are accepted; the reads that need
 * PostgreSQL answer 503 `unavailable` with Retry-After. Once the relay opens, the service
 * becomes ready by itself, the projector takes its lease and the case opened meanwhile shows
 * in the queue.
 */
const postgres = await postgresAvailability();

/** A TCP relay to `target` on `port` of 127.0.0.1, listening only between open() and close(). */
class Relay {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    readonly target: { readonly host: string; readonly port: number },
  ) {}

  open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.#server = server;
    return new Promise((done, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => done());
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await new Promise((done) => server.close(done));
  }
}

const get = async (url: string, path: string, token?: string) => {
  const res = await fetch(`${url}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Record<string, unknown>,
  };
};

if (postgres.mode === 'skip') {
  it.skip(`PostgreSQL outage at start — skipped: ${postgres.reason}`, () => undefined);
} else {
  describe('PostgreSQL away when docket serve starts', () => {
    const dir = tempDir('pg-outage');
    let schema: TestSchema;
    let relay: Relay;

    beforeAll(async () => {
      if (postgres.mode === 'fail') throw new Error(postgres.reason);
      schema = await createTestSchema(postgres.url);
      const target = new URL(postgres.url);
      relay = new Relay(await freePort(), {
        host: target.hostname,
        port: Number(target.port === '' ? 5432 : target.port),
      });
    });

    afterAll(async () => {
      await killAll();
      await relay.close();
      await schema.drop();
      dir.remove();
    });

    it('starts, reports not ready, accepts commands, answers reads 503, and recovers by itself', async () => {
      const url = new URL(databaseUrlWithSchema(postgres.url, schema.name));
      url.hostname = '127.0.0.1';
      url.port = String(relay.port);
      const server = await DocketProcess.start('all', 'api,timers,projector', {
        DOCKET_DATA_DIR: dir.path,
        DATABASE_URL: url.toString(),
      });

      const notReady = await get(server.url, '/ready');
      expect(notReady.status, server.output()).toBe(503);
      expect(notReady.retryAfter).not.toBeNull();
      const checks = notReady.body.checks as { name: string; ready: boolean }[];
      expect(checks.filter((c) => !c.ready).map((c) => c.name)).toEqual([
        'read-models',
        'projector',
      ]);

      const customer = await customerToken(server.url, server.adminToken!);
      const opened = await openCase(server.url, customer);
      const queue = await get(server.url, '/queues/agent', customer);
      expect(queue.status).toBe(503);
      expect(queue.body).toMatchObject({ status: 503, code: 'unavailable' });
      expect(queue.retryAfter).not.toBeNull();

      await relay.open();
      await eventually('the service to become ready', async () =>
        (await get(server.url, '/ready')).status === 200 ? true : undefined,
      );
      await server.waitForLog(/^projector: this process is the active one/);
      const rows = await eventually('the case opened meanwhile in the queue', async () => {
        const res = await get(server.url, '/queues/agent', customer);
        const items = (res.body.items ?? []) as { id: string }[];
        return res.status === 200 && items.length > 0 ? items : undefined;
      });
      expect(rows.map((r) => r.id)).toEqual([opened.id]);
    });
  });
}
