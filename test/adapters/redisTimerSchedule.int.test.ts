import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLease } from '../../src/adapters/redisLease.js';
import { NotLeaderError, RedisTimerSchedule } from '../../src/adapters/redisTimerSchedule.js';
import type { CaseTimer } from '../../src/domain/case/caseTimers.js';
import { deleteKeysWithPrefix, redisAvailability } from '../specs/redisSpec.js';

const redis = await redisAvailability();
const timer = (caseId: string, revision = 0): CaseTimer => ({
  caseId,
  kind: 'response-deadline',
  revision,
  dueAt: Date.parse('2026-11-30T10:00:00Z') + revision,
});

if (redis.mode === 'skip') {
  describe.skip(`Redis timer schedule (${redis.reason})`, () => undefined);
} else if (redis.mode === 'fail') {
  it('Redis timer schedule', () => expect.fail(redis.reason));
} else {
  describe('Redis timer schedule', () => {
    const prefix = `docket-test-${randomUUID()}`;
    let client: Redis;
    beforeAll(() => {
      client = new Redis(redis.url, { maxRetriesPerRequest: null });
    });
    afterAll(async () => {
      await deleteKeysWithPrefix(client, prefix);
      client.disconnect();
    });

    it('holds the pending timers and the checkpoint, changed together', async () => {
      const schedule = new RedisTimerSchedule(client, { prefix: `${prefix}:a` });
      expect(await schedule.load()).toEqual({ checkpoint: undefined, timers: [] });
      await schedule.commit({ add: [timer('c1'), timer('c2')], remove: [] }, 10n);
      await schedule.commit({ add: [timer('c1', 3)], remove: [timer('c1')] }, 12n);
      const loaded = await schedule.load();
      expect(loaded.checkpoint).toBe(12n);
      expect(loaded.timers.sort((a, b) => a.caseId.localeCompare(b.caseId))).toEqual([
        timer('c1', 3),
        timer('c2'),
      ]);
    });

    it('a schedule written under another version is ignored: the leader replays the log', async () => {
      const schedule = new RedisTimerSchedule(client, { prefix: `${prefix}:b` });
      await schedule.commit({ add: [timer('c1')], remove: [] }, 5n);
      await client.set(`${prefix}:b:schedule:version`, '0');
      expect(await schedule.load()).toEqual({ checkpoint: undefined, timers: [] });
    });

    it('a schedule that vanished is refused as lost, then written whole again', async () => {
      const schedule = new RedisTimerSchedule(client, { prefix: `${prefix}:d` });
      await schedule.commit({ add: [timer('c1'), timer('c2')], remove: [] }, 4n);
      await deleteKeysWithPrefix(client, `${prefix}:d`); // Redis restarted without its data
      await expect(schedule.commit({ add: [timer('c3')], remove: [] }, 5n)).rejects.toMatchObject({
        code: 'timer-schedule-lost',
      });
      expect(await schedule.load()).toEqual({ checkpoint: undefined, timers: [] });
      await schedule.rewrite([timer('c1'), timer('c3')], 5n);
      const loaded = await schedule.load();
      expect(loaded.checkpoint).toBe(5n);
      expect(loaded.timers.map((t) => t.caseId).sort()).toEqual(['c1', 'c3']);
    });

    it("refuses the writes of a process that lost the scheduler's lease", async () => {
      const key = `${prefix}:c:lease`;
      const mine = new RedisLease(client, { key });
      const theirs = new RedisLease(client, { key });
      await mine.acquire();
      const schedule = new RedisTimerSchedule(client, {
        prefix: `${prefix}:c`,
        fence: { key, value: () => mine.value },
      });
      await schedule.commit({ add: [timer('c1')], remove: [] }, 1n);
      // Its lease expired and another process took it; this one has not noticed yet.
      const stale = mine.value;
      await client.del(key);
      await theirs.acquire();
      const deposed = new RedisTimerSchedule(client, {
        prefix: `${prefix}:c`,
        fence: { key, value: () => stale },
      });
      await expect(
        deposed.commit({ add: [timer('c9')], remove: [timer('c1')] }, 2n),
      ).rejects.toBeInstanceOf(NotLeaderError);
      expect(await schedule.load()).toEqual({ checkpoint: 1n, timers: [timer('c1')] });
      // Without a lease at all, nothing is written either.
      await mine.release();
      await expect(schedule.commit({ add: [], remove: [] }, 3n)).rejects.toBeInstanceOf(
        NotLeaderError,
      );
    });
  });
}
