import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { InProcessTimerBackend } from '../../adapters/inProcessTimerBackend.js';
import { BullmqTimerBackend } from '../../adapters/bullmqTimerBackend.js';
import { RedisLease } from '../../adapters/redisLease.js';
import { RedisTimerSchedule } from '../../adapters/redisTimerSchedule.js';
import { SqliteLease } from '../../adapters/sqliteLease.js';
import { SqliteTimerSchedule } from '../../adapters/sqliteTimerSchedule.js';
import { systemClock } from '../../adapters/systemClock.js';
import type { DocketServices } from '../../application/docketServices.js';
import { Leadership } from '../../application/leadership.js';
import type { Lease } from '../../application/lease.js';
import type { TimerBackend } from '../../application/timerBackend.js';
import { timerDispatcher, type TimerFiringObserver } from '../../application/timerDispatcher.js';
import type { TimerSchedule } from '../../application/timerSchedule.js';
import { TimerScheduler } from '../../application/timerScheduler.js';
import type { ServiceConfig } from '../../config/serviceConfig.js';
import { quietRepeats, type RoleLog } from './roleLog.js';

export interface TimersRole {
  readonly description: string;
  /** The scheduler while this process leads (undefined on a standby). */
  scheduler(): TimerScheduler | undefined;
  /**
   * Whether this process leads the scheduler, whether it has caught up with the log, and
   * whether the lease's store (Redis, or `leases.db`) answered its last attempt.
   */
  status(): Promise<{
    readonly leader: boolean;
    readonly caughtUp: boolean;
    readonly leaseReachable: boolean;
  }>;
  /** The BullMQ queue's jobs by state (with `REDIS_URL`; undefined in-process). */
  readonly jobCounts: (() => Promise<Record<string, number>>) | undefined;
  close(): Promise<void>;
}

/**
 * The `timers` role. Every instance fires timers; one — the holder of the scheduler's lease —
 * also follows the log and keeps the shared schedule and the backend in line with it.
 *
 * - With `REDIS_URL`: timers are BullMQ jobs every instance works on; the schedule and its
 *   checkpoint live in Redis, each write fenced by the lease (a Redis key with a fencing
 *   counter), so a deposed leader's late write is refused.
 * - Without: timers wait in the leader's memory and the schedule in `timers.db`; the lease is a
 *   row of `leases.db` in the data directory, so several processes on one machine elect one.
 *
 * A standby takes over within a second or two of the leader's lease falling free (released on
 * a clean stop, expired 5 s after a crash, lost with its connection).
 */
export const startTimersRole = async (
  config: ServiceConfig,
  services: DocketServices,
  log: RoleLog,
  observer: TimerFiringObserver = {},
): Promise<TimersRole> => {
  const report = (what: string) => (error: unknown) => log.error(error, what);
  const fire = timerDispatcher(
    services.commands,
    systemClock,
    (message) => log.warn(message),
    observer,
  );
  const dataDir = resolve(config.dataDir);
  let lease: Lease;
  let redis: Redis | undefined;
  let shared: TimerBackend | undefined;
  let jobCounts: (() => Promise<Record<string, number>>) | undefined;
  let scheduleOf: () => TimerSchedule;
  let description: string;
  let reconcileEveryMs: number | undefined;
  if (config.redisUrl !== undefined) {
    const bullmq = new BullmqTimerBackend({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      clock: systemClock,
      onError: quietRepeats(log, 'timer backend'),
    });
    shared = bullmq;
    jobCounts = () => bullmq.jobCounts();
    description = `BullMQ at ${new URL(config.redisUrl).host} (prefix ${config.redisPrefix})`;
    // Redis may lose jobs (a restart without persistence): the leader repairs them from the schedule.
    reconcileEveryMs = 60_000;
    // Its commands fail at once while Redis is away, so the leader finds out at its next renewal.
    redis = new Redis(config.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    redis.on('error', () => undefined); // each failing command reports its own error
    // A first attempt at the lease once connected; if Redis is away, later attempts will do.
    // (`once` rejects on the first 'error' event: Redis being away is not an error here.)
    await Promise.race([once(redis, 'ready').catch(() => undefined), delay(2_000)]);
    const redisLease = new RedisLease(redis, { key: `${config.redisPrefix}:timers:leader` });
    lease = redisLease;
    const client = redis;
    scheduleOf = () =>
      new RedisTimerSchedule(client, {
        prefix: `${config.redisPrefix}:timers`,
        fence: { key: redisLease.key, value: () => redisLease.value },
      });
    // Every instance works on the queue; BullMQ waits for Redis if it is away.
    void shared.start(fire).catch(report('timer worker'));
  } else {
    description = 'in-process';
    lease = new SqliteLease({ path: join(dataDir, 'leases.db'), name: 'timer-scheduler' });
    scheduleOf = () => new SqliteTimerSchedule(join(dataDir, 'timers.db'));
  }

  let scheduler: TimerScheduler | undefined;
  let caughtUp = false;
  const leadership = new Leadership({
    lease,
    lead: (token) => {
      const current = new TimerScheduler({
        store: services.store,
        schedule: scheduleOf(),
        // Without Redis the timers live in the leader's memory, so the leader fires them.
        ...(shared === undefined
          ? { backend: new InProcessTimerBackend({ clock: systemClock }), fire }
          : { backend: shared }),
        ...(reconcileEveryMs === undefined ? {} : { reconcileEveryMs }),
        onError: report('timer scheduler'),
      });
      scheduler = current;
      caughtUp = false;
      // Started in the background: catching up with a long log must not hold up the renewals.
      const started = current.start().then(({ pending }) => {
        if (scheduler === current) caughtUp = true;
        log.info(`timer scheduler: caught up (fencing token ${token}, ${pending} pending)`);
      }, report('timer scheduler start'));
      return Promise.resolve(async () => {
        if (scheduler === current) scheduler = undefined;
        await current.close();
        await started;
      });
    },
    onChange: ({ leader, token }) =>
      log.info(
        leader
          ? `timer scheduler: this process leads (fencing token ${token})`
          : 'timer scheduler: this process stands by',
      ),
    onError: report('timer scheduler lease'),
  });
  await leadership.start();

  return {
    description,
    scheduler: () => scheduler,
    status: () =>
      Promise.resolve({
        leader: scheduler !== undefined,
        caughtUp: scheduler === undefined || caughtUp,
        leaseReachable: leadership.reachable,
      }),
    jobCounts,
    close: async () => {
      await leadership.close();
      await shared?.close();
      redis?.disconnect();
    },
  };
};
