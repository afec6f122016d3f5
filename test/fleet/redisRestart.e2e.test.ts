import { spawnSync } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import {
  breachesByCase,
  customerToken,
  DocketProcess,
  eventually,
  killAll,
  latenesses,
  openCase,
  openSharedStore,
  OwnRedis,
  percentile,
  redisServerProgram,
  tempDir,
  writeShortPolicy,
  type OpenedCase,
} from './fleet.js';

/**
 * Redis stops and starts again, empty, under load (#15): an `api` and a `timers` process on a
 * Redis server of the test's own (persistence off, so it comes back with no key: no BullMQ job,
 * no schedule, no lease). A case is opened every 100 ms throughout, under a policy whose
 * technical B response target is 8 s on the 24×7 calendar. Every open must be accepted (the
 * api role does not use Redis), the timers lost with Redis must be restored from the log, and
 * every case must end with exactly one ResponseDeadlineBreached.
 */
const TARGET_SECONDS = 8;
const OPEN_EVERY_MS = 100;
/** Opens accepted while Redis is down, and after it is back, before the load stops. */
const OPENS_WHILE_DOWN = 30;
const OPENS_AFTER = 30;

const hasRedisServer = spawnSync(redisServerProgram, ['--version']).status === 0;

if (!hasRedisServer && process.env.DOCKET_REQUIRE_SERVICES !== '1') {
  it.skip(`Redis restart under load — skipped: no ${redisServerProgram} on the PATH (REDIS_SERVER names another)`, () =>
    undefined);
} else {
  describe('Redis stopped and started again (empty) under load: api + timers', () => {
    const dir = tempDir('redis-restart');
    let redis: OwnRedis | undefined;
    let store: SqliteEventStore | undefined;

    afterAll(async () => {
      await killAll();
      await store?.close();
      await redis?.stop('SIGKILL');
      dir.remove();
    });

    it('commands are accepted throughout, the timers are restored, none fires twice', async () => {
      redis = await OwnRedis.start();
      const server = redis;
      const env = {
        DOCKET_DATA_DIR: dir.path,
        DOCKET_POLICY: writeShortPolicy(dir.path, TARGET_SECONDS),
        REDIS_URL: server.url,
        DOCKET_REDIS_PREFIX: 'docket',
      };
      const api = await DocketProcess.start('api', 'api', env);
      const timers = await DocketProcess.start('timers', 'timers', env);
      await timers.waitForLog(/^timer scheduler: caught up/);
      const ada = await customerToken(api.url, api.adminToken!);
      store = openSharedStore(dir.path);
      const shared = store;

      // The load: a case opened every 100 ms until told to stop; every answer is kept.
      type Phase = 'before' | 'down' | 'after';
      let phase: Phase = 'before';
      const opened: Array<OpenedCase & { phase: Phase }> = [];
      const refused: string[] = [];
      let loading = true;
      const load = (async () => {
        for (let next = Date.now(); loading; next += OPEN_EVERY_MS) {
          if (next > Date.now()) await new Promise((r) => setTimeout(r, next - Date.now()));
          const at = phase;
          await openCase(api.url, ada).then(
            (c) => opened.push({ ...c, phase: at }),
            (error: unknown) => refused.push(`${at}: ${String(error)}`),
          );
        }
      })();
      const openedIn = (p: Phase) => opened.filter((c) => c.phase === p).length;

      try {
        // Some timers fire while Redis is up.
        await eventually(
          'breaches before Redis stops',
          async () => ((await breachesByCase(shared)).size >= 10 ? true : undefined),
          { timeoutMs: 30_000, everyMs: 100 },
        );
        await server.stop('SIGTERM');
        const stoppedAt = Date.now();
        phase = 'down';
        await eventually(`${OPENS_WHILE_DOWN} opens while Redis is down`, () =>
          openedIn('down') >= OPENS_WHILE_DOWN ? true : undefined,
        );
        const leadsBefore = timers.logged(/^timer scheduler: this process leads/).length;
        await server.restart();
        const restartedAt = Date.now();
        phase = 'after';
        // The scheduler's lease went with Redis: it is taken again, and the schedule replayed.
        await timers.waitForLog(/^timer scheduler: this process leads/, {
          n: leadsBefore + 1,
          timeoutMs: 30_000,
        });
        const caughtUp = await timers.waitForLog(/^timer scheduler: caught up/, {
          n: 2,
          timeoutMs: 30_000,
        });
        await eventually(`${OPENS_AFTER} opens after Redis is back`, () =>
          openedIn('after') >= OPENS_AFTER ? true : undefined,
        );
        loading = false;
        await load;

        expect(refused).toEqual([]);
        await eventually(
          `a breach for each of the ${opened.length} cases`,
          async () => {
            const breaches = await breachesByCase(shared);
            return opened.every((c) => breaches.has(c.id)) ? true : undefined;
          },
          { timeoutMs: 60_000, everyMs: 200 },
        );
        const connection = new Redis(server.url, { maxRetriesPerRequest: null });
        const queue = new Queue('docket-timers', { connection, prefix: 'docket' });
        try {
          await eventually(
            'the timer queue to hold no waiting, delayed or active job',
            async () => {
              const counts = await queue.getJobCounts(
                'waiting',
                'delayed',
                'active',
                'prioritized',
              );
              return Object.values(counts).every((n) => n === 0) ? true : undefined;
            },
            { timeoutMs: 120_000, everyMs: 200 },
          );
        } finally {
          await queue.close();
          await connection.quit();
        }

        const breaches = await breachesByCase(shared);
        expect(opened.map((c) => breaches.get(c.id)?.length ?? 0).filter((n) => n !== 1)).toEqual(
          [],
        );
        expect(breaches.size).toBe(opened.length);
        // Timers set before the stop and due after the restart lived only in the lost Redis.
        const restored = opened.filter((c) => c.phase === 'before' && c.dueAt > restartedAt);
        expect(restored.length).toBeGreaterThan(0);
        const dueWhileDown = opened.filter((c) => c.dueAt >= stoppedAt && c.dueAt < restartedAt);

        const fmt = (cases: OpenedCase[]) => {
          const sorted = latenesses(cases.map((c) => breaches.get(c.id)!));
          return `p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms`;
        };
        console.log(
          [
            `Redis restart: ${opened.length} cases (${openedIn('before')} before, ${openedIn('down')} while down, ${openedIn('after')} after); refused ${refused.length}`,
            `  Redis down ${restartedAt - stoppedAt} ms; the scheduler led again and caught up ${caughtUp.time - restartedAt} ms after the restart`,
            `  lateness, all: ${fmt(opened)}`,
            `  lateness, due while Redis was down (${dueWhileDown.length}): ${dueWhileDown.length > 0 ? fmt(dueWhileDown) : '—'}`,
            `  lateness, set before the stop and due after the restart (${restored.length}): ${fmt(restored)}`,
          ].join('\n'),
        );
      } finally {
        loading = false;
        await load;
        if (refused.length > 0 || opened.length === 0) console.log(api.output(), timers.output());
      }
    }, 240_000);

    it('Redis away when a timers process starts: it listens, not ready, and leads once Redis is up', async () => {
      const own = await OwnRedis.start();
      await own.stop('SIGTERM'); // a port with no server behind it, for now
      const cold = tempDir('redis-cold');
      try {
        const timers = await DocketProcess.start('timers-cold', 'timers', {
          DOCKET_DATA_DIR: cold.path,
          REDIS_URL: own.url,
          DOCKET_REDIS_PREFIX: 'docket',
        });
        const notReady = await fetch(`${timers.url}/ready`);
        expect(notReady.status).toBe(503);
        const body = (await notReady.json()) as { checks: { name: string; ready: boolean }[] };
        expect(body.checks.filter((c) => !c.ready).map((c) => c.name)).toEqual(['timer-scheduler']);
        await own.restart();
        await timers.waitForLog(/^timer scheduler: caught up/, { timeoutMs: 30_000 });
        await eventually('the timers process to be ready', async () =>
          (await fetch(`${timers.url}/ready`)).status === 200 ? true : undefined,
        );
        // BullMQ's reconnects while Redis was away: reported, not one line per attempt.
        expect(timers.logged(/^timer backend/).length).toBeLessThanOrEqual(3);
        await timers.kill('SIGTERM');
        expect(await timers.exited).toBe(0);

        // Stopped while Redis is away, it still ends (BullMQ's close would wait for Redis).
        await own.stop('SIGTERM');
        const stranded = await DocketProcess.start('timers-stranded', 'timers', {
          DOCKET_DATA_DIR: cold.path,
          REDIS_URL: own.url,
          DOCKET_REDIS_PREFIX: 'docket',
        });
        await stranded.kill('SIGTERM');
        expect(await stranded.exited).toBe(0);
      } finally {
        await own.stop('SIGKILL');
        cold.remove();
      }
    }, 120_000);
  });
}
