import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { allProjections } from '../../projections/allProjections.js';
import { openSqliteReadModels } from '../../src/adapters/readModelDb.js';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import type { DocketServices } from '../../src/application/docketServices.js';
import { projectionContext } from '../../src/application/projectionContext.js';
import { Projector } from '../../src/application/projector.js';
import { startService } from '../../src/cli/serveCommand.js';
import { loadServiceConfig } from '../../src/config/serviceConfig.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { buildApp } from '../../src/http/buildApp.js';
import { openBody } from '../specs/httpSpec.js';
import { contosoTenant, fabrikamTenant, servicesWith } from '../specs/servicesSpec.js';
import { parsed } from '../specs/caseCommands.js';
import { ProjectionCheckpointStore } from '../../src/adapters/projectionCheckpointStore.js';
import { within } from '../specs/within.js';

/**
 * Defect 5 (issue #13): `docket projections rebuild` killed with SIGKILL right after it emptied
 * the tables left the running service answering `GET /queues/agent` with an empty queue, as if
 * it were built, until some unrelated event arrived. Now the answer says the read model is being
 * rebuilt (its headers), and the service's projector notices the reset checkpoints while idle
 * and replays the log, without any new event.
 */
const CASES = 3;
const positionHeader = 'docket-read-model-position';
const rebuildingHeader = 'docket-read-model-rebuilding';

const root = { role: 'admin', id: 'root' } as const;
const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;

/**
 * A store under `dataDir` with CASES cases waiting on an agent, opened at `now`; its services
 * and an agent token.
 */
const writeCases = async (dataDir: string, now = Date.parse('2026-11-23T02:00:00Z')) => {
  const store = new SqliteEventStore({ path: join(dataDir, 'docket.db') });
  const services = await servicesWith(store, new VirtualClock(now), [
    contosoTenant,
    fabrikamTenant,
  ]);
  for (let i = 0; i < CASES; i++) {
    const opened = await services.commands.handle(
      parsed({
        type: 'open',
        caseId: `c${i}`,
        actor: ada,
        input: openBody,
      }),
    );
    if (!opened.ok) throw opened.error;
  }
  const issued = await services.tokens.issue(root, { role: 'agent', name: 'li' });
  if (!issued.ok) throw issued.error;
  return { store, services, token: issued.value.token };
};

const logHead = async (services: DocketServices): Promise<number> => {
  for await (const e of services.store.readAll({ direction: 'backwards', maxCount: 1 }))
    return Number(e.position);
  return 0;
};

/** `docket projections rebuild`'s reset, in a child process killed with SIGKILL right after it. */
const killedRebuild = async (dataDir: string): Promise<void> => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'rebuildChild.ts')],
    {
      env: { ...process.env, DOCKET_DATA_DIR: dataDir, DATABASE_URL: '', ESDB_URL: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'reset') child.kill('SIGKILL');
  }
  await exited;
  expect(child.signalCode).toBe('SIGKILL');
};

describe('a rebuild killed right after it emptied the tables (defect 5)', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'docket-interrupted-rebuild-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => vi.useRealTimers());
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('a projector and the HTTP API over the same SQLite read models', () => {
    const dataDir = tempDir();
    const readModelsPath = join(dataDir, 'readmodels.db');
    let world: Awaited<ReturnType<typeof writeCases>>;
    let projector: Projector | undefined;
    let app: FastifyInstance;
    const projectorDb = openSqliteReadModels(readModelsPath, { thread: true });
    const appDb = openSqliteReadModels(readModelsPath);
    let onBatch: ((position: bigint) => void) | undefined;

    beforeAll(async () => {
      world = await writeCases(dataDir);
      app = await buildApp(world.services, { readModels: appDb });
    });
    afterAll(async () => {
      await app.close();
      await projector?.close();
      await projectorDb.destroy();
      await appDb.destroy();
      await world.store.close();
    });

    const get = (url: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${world.token}` } });

    it('says the queue is being rebuilt, then catches up within one watch interval, with no new event', async () => {
      // The projector's watch runs on a fake interval: it checks only when the test says so.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      projector = new Projector({
        store: world.services.store,
        checkpoints: new ProjectionCheckpointStore(projectorDb),
        projections: allProjections,
        context: projectionContext(world.services.policies),
        clock: world.services.clock,
        batchMs: 5,
        watchMs: 500,
        onApplied: (batch) => onBatch?.(batch.lastPosition),
      });
      await projector.start();
      const head = await logHead(world.services);
      await within(projector.caughtUp(head), 10_000, 'the first projection');

      const built = await get('/queues/agent');
      expect(built.statusCode).toBe(200);
      expect(built.json<{ items: unknown[] }>().items).toHaveLength(CASES);
      expect(built.headers[positionHeader]).toBe(String(head));
      expect(built.headers[rebuildingHeader]).toBe('false');

      await killedRebuild(dataDir);
      expect(await logHead(world.services)).toBe(head);

      // The tables are empty, and every answer says why.
      const emptied = await get('/queues/agent');
      expect(emptied.statusCode).toBe(200);
      expect(emptied.json<{ items: unknown[] }>().items).toEqual([]);
      expect(emptied.headers[positionHeader]).toBe('-1');
      expect(emptied.headers[rebuildingHeader]).toBe('true');
      const report = await get('/reports/sla?from=2026-11-01&to=2026-11-30');
      expect(report.json<{ rows: unknown[] }>().rows).toEqual([]);
      expect(report.headers[rebuildingHeader]).toBe('true');
      const status = await get('/projections');
      expect(status.statusCode).toBe(200);
      expect(status.json()).toEqual({
        projections: allProjections.map((p) => ({
          name: p.name,
          version: p.version,
          position: -1,
          head,
          lag: head,
          rebuilding: true,
          updatedAt: expect.any(String) as unknown,
        })),
      });

      // One watch interval later the service's projector has noticed the reset checkpoints and
      // replayed the log: no event was appended meanwhile.
      const replayed = new Promise<void>((resolve) => {
        onBatch = (position) => {
          if (position >= BigInt(head)) resolve();
        };
      });
      vi.advanceTimersByTime(500);
      await within(replayed, 10_000, 'the replay after the watch noticed the reset');
      expect(await logHead(world.services)).toBe(head);
      const rebuilt = await get('/queues/agent');
      expect(rebuilt.json<{ items: unknown[] }>().items).toHaveLength(CASES);
      expect(rebuilt.headers[positionHeader]).toBe(String(head));
      expect(rebuilt.headers[rebuildingHeader]).toBe('false');
      expect(
        (await get('/projections'))
          .json<{ projections: Array<{ rebuilding: boolean; lag: number }> }>()
          .projections.map((p) => [p.rebuilding, p.lag]),
      ).toEqual(allProjections.map(() => [false, 0]));
    });
  });

  it('docket serve (projector thread, default watch) catches up by itself; an empty answer always says it is not built', async () => {
    const dataDir = tempDir();
    // Opened now: no deadline passes during the test, so the service's timers record nothing.
    const world = await writeCases(dataDir, Date.now());
    await world.store.close();
    const config = loadServiceConfig({
      DOCKET_DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    if (!config.ok) throw config.error;
    const service = await startService(config.value, {
      out: () => undefined,
      err: () => undefined,
    });
    try {
      const queue = async () => {
        const res = await fetch(`${service.url}/queues/agent`, {
          headers: { authorization: `Bearer ${world.token}` },
        });
        return {
          cases: ((await res.json()) as { items: unknown[] }).items.length,
          position: res.headers.get(positionHeader),
          rebuilding: res.headers.get(rebuildingHeader),
        };
      };
      const waitFor = async (done: (answer: Awaited<ReturnType<typeof queue>>) => boolean) => {
        const deadline = Date.now() + 30_000; // seconds when all is well; a loaded VM is slower
        for (;;) {
          const answer = await queue();
          if (done(answer)) return answer;
          // Never an incomplete queue that claims to be built.
          expect(answer.rebuilding, JSON.stringify(answer)).toBe('true');
          if (Date.now() > deadline) throw new Error(`not caught up: ${JSON.stringify(answer)}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      const head = await logHead(service.services); // after its first admin token
      const built = await waitFor((a) => a.cases === CASES);
      expect([built.position, built.rebuilding]).toEqual([String(head), 'false']);

      await killedRebuild(dataDir);
      expect(await logHead(service.services)).toBe(head);
      const rebuilt = await waitFor((a) => a.cases === CASES);
      expect([rebuilt.position, rebuilt.rebuilding]).toEqual([String(head), 'false']);
    } finally {
      await service.close();
    }
  }, 120_000);
});
