import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqTimerBackend } from '../../src/adapters/bullmqTimerBackend.js';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import { createDocketServices } from '../../src/application/docketServices.js';
import type { RecordedEvent } from '../../src/application/eventStore.js';
import { TimerNotDueError, timerId, type FireTimer } from '../../src/application/timerBackend.js';
import { timerDispatcher } from '../../src/application/timerDispatcher.js';
import { pendingTimers, type CaseTimer } from '../../src/domain/case/caseTimers.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import type { Result } from '../../src/domain/result.js';
import { timerBackendContract } from '../contract/timerBackend.contract.js';
import { deleteKeysWithPrefix, redisAvailability } from '../specs/redisSpec.js';
import { parsed } from '../specs/caseCommands.js';
import { within } from '../specs/within.js';

/**
 * BullMQ timers against the real Redis (REDIS_URL, else 127.0.0.1:6379). Every test has its own
 * key prefix `docket-test-<run uuid>-<n>` and deletes its keys afterwards, so runs sharing a
 * server never meet. Without Redis the file is one skipped test saying why, unless
 * DOCKET_REQUIRE_SERVICES=1 (CI), where it fails.
 */
const redis = await redisAvailability();

const unwrap = <T>(result: Result<T>): T => {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
};

const collect = async (source: AsyncIterable<RecordedEvent>) => {
  const out: RecordedEvent[] = [];
  for await (const event of source) out.push(event);
  return out;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (redis.mode === 'skip') {
  it.skip(`bullmq timer backend — skipped: ${redis.reason}`, () => undefined);
} else {
  describe('bullmq timer backend', () => {
    const redisUrl = redis.url;
    const run = randomUUID();
    const prefixes: string[] = [];
    const newPrefix = () => {
      const prefix = `docket-test-${run}-${prefixes.length}`;
      prefixes.push(prefix);
      return prefix;
    };
    let admin: Redis | undefined;
    const redisAdmin = () => admin!;

    beforeAll(async () => {
      if (redis.mode === 'fail') throw new Error(redis.reason);
      admin = new Redis(redisUrl, { maxRetriesPerRequest: null });
      await admin.ping();
    });

    afterAll(async () => {
      if (admin === undefined) return;
      for (const prefix of prefixes) await deleteKeysWithPrefix(admin, prefix);
      await admin.quit();
    });

    timerBackendContract('bullmq', () => {
      const prefix = newPrefix();
      return Promise.resolve({
        backend: () => new BullmqTimerBackend({ redisUrl, prefix }),
        cleanup: async () => void (await deleteKeysWithPrefix(redisAdmin(), prefix)),
      });
    });

    describe('bullmq only', () => {
      it('counts its jobs by state (docket_timer_jobs)', async () => {
        const prefix = newPrefix();
        const backend = new BullmqTimerBackend({ redisUrl, prefix });
        try {
          const later = Date.now() + 3_600_000;
          await backend.apply({
            add: ['a', 'b'].map((c) => ({
              caseId: `case-${c}`,
              kind: 'auto-close' as const,
              dueAt: later,
              revision: 1,
            })),
            remove: [],
          });
          expect(await backend.jobCounts()).toEqual({
            delayed: 2,
            prioritized: 0,
            waiting: 0,
            active: 0,
            completed: 0,
            failed: 0,
          });
        } finally {
          await backend.close();
          await deleteKeysWithPrefix(redisAdmin(), prefix);
        }
      });

      it('reconcile restores timers Redis lost (every key of the queue deleted) and they fire', async () => {
        const prefix = newPrefix();
        const backend = new BullmqTimerBackend({ redisUrl, prefix });
        const firings: { timer: CaseTimer; at: number }[] = [];
        const fire: FireTimer = (timer) => {
          firings.push({ timer, at: Date.now() });
          return Promise.resolve();
        };
        try {
          const dueAt = Date.now() + 700;
          const timers = ['a', 'b', 'c'].map((c, i) => ({
            caseId: `case-${c}`,
            kind: 'response-deadline' as const,
            dueAt: dueAt + i * 50,
            revision: 1,
          }));
          await backend.start(fire);
          await backend.apply({ add: timers, remove: [] });
          expect(await backend.held()).toHaveLength(3);

          // A flushed (or replaced, empty) Redis under a running worker, this prefix only.
          expect(await deleteKeysWithPrefix(redisAdmin(), prefix)).toBeGreaterThan(0);
          expect(await backend.held()).toEqual([]);

          expect(await backend.reconcile(timers)).toEqual({ added: 3, removed: 0 });
          const deadline = Date.now() + 5_000;
          while (firings.length < 3 && Date.now() < deadline) await sleep(20);
          await sleep(300);
          expect(firings.map((f) => timerId(f.timer)).sort()).toEqual(timers.map(timerId));
          for (const { timer, at } of firings) expect(at).toBeGreaterThanOrEqual(timer.dueAt);
        } finally {
          await backend.close();
          await deleteKeysWithPrefix(redisAdmin(), prefix);
        }
      });

      it('a firing refused as not due uses up no attempt; one that keeps failing is left failed, and reconcile tries it afresh', async () => {
        const prefix = newPrefix();
        const backend = new BullmqTimerBackend({ redisUrl, prefix, attempts: 2, backoffMs: 100 });
        const inspect = new Queue('docket-timers', { connection: redisAdmin(), prefix });
        const notDue = { caseId: 'case-skew', kind: 'auto-close' as const, dueAt: 0, revision: 7 };
        const broken = {
          caseId: 'case-broken',
          kind: 'auto-close' as const,
          dueAt: 0,
          revision: 7,
        };
        const firings = new Map<string, number>();
        let storeDown = true;
        const fire: FireTimer = (timer) => {
          const nth = (firings.get(timer.caseId) ?? 0) + 1;
          firings.set(timer.caseId, nth);
          if (timer.caseId === 'case-skew' && nth <= 3) {
            return Promise.reject(new TimerNotDueError(Date.now() + 100));
          }
          if (timer.caseId === 'case-broken' && storeDown) {
            return Promise.reject(new Error('store down'));
          }
          return Promise.resolve();
        };
        const settled = async (what: string, done: () => boolean) => {
          const deadline = Date.now() + 5_000;
          while (!done()) {
            if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
            await sleep(20);
          }
          await sleep(200);
        };
        try {
          await backend.start(fire);
          await backend.apply({ add: [notDue, broken], remove: [] });
          await settled(
            'both settle',
            () => firings.get('case-skew') === 4 && firings.get('case-broken') === 2,
          );
          expect(Object.fromEntries(firings)).toEqual({ 'case-skew': 4, 'case-broken': 2 });
          expect(await inspect.getFailedCount()).toBe(1); // the broken one, after its 2 attempts
          expect(await backend.held()).toEqual([]);

          storeDown = false;
          expect(await backend.reconcile([broken])).toEqual({ added: 1, removed: 0 });
          await settled('the failed timer fires again', () => firings.get('case-broken') === 3);
          expect(firings.get('case-broken')).toBe(3);
          expect(await inspect.getFailedCount()).toBe(0);
        } finally {
          await backend.close();
          await inspect.close();
          await deleteKeysWithPrefix(redisAdmin(), prefix);
        }
      });

      it('reconciles 10,000 timers in pages', async () => {
        const prefix = newPrefix();
        const backend = new BullmqTimerBackend({ redisUrl, prefix });
        const dueAt = Date.now() + 3_600_000;
        const timers = Array.from({ length: 11_000 }, (_, i) => ({
          caseId: `case-${i}`,
          kind: 'customer-nonresponse' as const,
          dueAt: dueAt + i,
          revision: 2,
        }));
        try {
          let started = performance.now();
          expect(await backend.reconcile(timers.slice(0, 10_000))).toEqual({
            added: 10_000,
            removed: 0,
          });
          const fillMs = performance.now() - started;

          started = performance.now();
          expect(await backend.reconcile(timers.slice(1_000))).toEqual({
            added: 1_000,
            removed: 1_000,
          });
          const reconcileMs = performance.now() - started;

          started = performance.now();
          const held = await backend.held();
          const heldMs = performance.now() - started;
          expect(held).toHaveLength(10_000);
          expect(new Set(held.map(timerId))).toEqual(new Set(timers.slice(1_000).map(timerId)));
          console.info(
            `bullmq reconcile: 10,000 into an empty queue ${fillMs.toFixed(0)} ms; ` +
              `+1,000/−1,000 of 10,000 ${reconcileMs.toFixed(0)} ms; held() of 10,000 ${heldMs.toFixed(0)} ms`,
          );
        } finally {
          await backend.close();
          await deleteKeysWithPrefix(redisAdmin(), prefix);
        }
      });

      it.each(['before', 'after'] as const)(
        'a worker SIGKILLed mid-firing (%s the check ran) loses the job to another worker: one breach',
        async (mode) => {
          const prefix = newPrefix();
          const dir = mkdtempSync(join(tmpdir(), 'docket-bullmq-'));
          const path = join(dir, 'events.db');
          const caseId = `crash-${mode}`;
          const closers: (() => Promise<void>)[] = [];
          try {
            // A severity B case opened Monday 2026-11-23 02:00Z: response due a business day later.
            const openedAt = Date.parse('2026-11-23T02:00:00.000Z');
            const store = new SqliteEventStore({ path });
            closers.push(() => store.close());
            const services = unwrap(
              await createDocketServices(store, new VirtualClock(openedAt), defaultPolicy),
            );
            unwrap(
              await services.tenants.register(
                { role: 'admin', id: 'root' },
                { id: 'contoso', offering: '21vianet', advancedAgreement: true },
              ),
            );
            const opened = unwrap(
              await services.commands.handle(
                parsed({
                  type: 'open',
                  caseId,
                  actor: { role: 'customer-admin', tenant: 'contoso', id: 'ada' },
                  input: {
                    line: 'technical',
                    severity: 'B',
                    category: 'sso',
                    title: 't',
                    contact: { name: 'Ada', email: 'ada@contoso.example' },
                  },
                }),
              ),
            );
            const [timer] = pendingTimers(opened.snapshot);
            expect(timer).toMatchObject({
              caseId,
              kind: 'response-deadline',
              dueAt: Date.parse('2026-11-24T02:00:00.000Z'),
            });
            const id = timerId(timer!);
            const now = timer!.dueAt + 60_000; // the workers' clock: a minute past due
            const clock = new VirtualClock(now);
            const breaches = async () =>
              (await collect(store.readStream(`case-${caseId}`))).filter(
                (e) => e.type === 'ResponseDeadlineBreached',
              ).length;

            const producer = new BullmqTimerBackend({ redisUrl, prefix, clock });
            await producer.apply({ add: [timer!], remove: [] });
            await producer.close();

            const child = spawn(
              process.execPath,
              [
                '--import',
                'tsx',
                join(import.meta.dirname, 'fixtures', 'bullmqTimerWorker.ts'),
                redisUrl,
                prefix,
                path,
                String(now),
                mode,
              ],
              { stdio: ['ignore', 'pipe', 'inherit'] },
            );
            const exited = new Promise((resolve) => child.once('exit', resolve));
            const giveUp = setTimeout(() => child.kill('SIGKILL'), 20_000);
            const signal = `${mode === 'before' ? 'firing' : 'fired'} ${id}`;
            const lines: string[] = [];
            for await (const line of createInterface({ input: child.stdout })) {
              lines.push(line);
              if (line === signal) child.kill('SIGKILL');
            }
            await exited;
            clearTimeout(giveUp);
            expect(lines).toContain(signal);
            expect(child.signalCode).toBe('SIGKILL');
            expect(await breaches()).toBe(mode === 'before' ? 0 : 1);

            // A second worker (a fresh process's view: its own store handle and services).
            const store2 = new SqliteEventStore({ path });
            closers.push(() => store2.close());
            const services2 = unwrap(await createDocketServices(store2, clock, defaultPolicy));
            const dispatch = timerDispatcher(services2.commands, clock);
            const takeover = new BullmqTimerBackend({
              redisUrl,
              prefix,
              clock,
              lockDuration: 1_000,
              stalledInterval: 250,
            });
            closers.push(() => takeover.close());
            let firings = 0;
            let done!: () => void;
            const fired = new Promise<void>((resolve) => (done = resolve));
            const started = Date.now();
            await takeover.start(async (t) => {
              firings++;
              await dispatch(t);
              done();
            });
            await within(fired, 10_000, 'another worker takes the stalled job over');
            const takeoverMs = Date.now() - started;
            console.info(`bullmq stalled job (${mode}) taken over ${takeoverMs} ms after the kill`);
            await sleep(300);

            expect(firings).toBe(1);
            expect(await takeover.held()).toEqual([]);
            expect(await breaches()).toBe(1);
            expect(takeoverMs).toBeLessThan(5_000);
          } finally {
            for (const close of closers.reverse()) await close();
            rmSync(dir, { recursive: true, force: true });
            await deleteKeysWithPrefix(redisAdmin(), prefix);
          }
        },
      );
    });
  });
}
