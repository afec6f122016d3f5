import type { Redis } from 'ioredis';
import { timerId, type TimerChanges } from '../application/timerBackend.js';
import type { TimerSchedule } from '../application/timerSchedule.js';
import { timerKinds, type CaseTimer } from '../domain/case/caseTimers.js';
import { DocketError, DocketFault, ErrorCode, FaultCode } from '../domain/docketError.js';
import { TIMER_SCHEDULE_VERSION } from './sqliteTimerSchedule.js';

// KEYS: timers hash, checkpoint, version, lease. ARGV: lease value, checkpoint, version, the
// number of removals, the mode (`changes` to a schedule that must exist; `first` or `whole`,
// which starts it afresh), the removals' ids, then id/json pairs to add.
const COMMIT = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[4]) ~= ARGV[1] then
  return redis.error_reply('NOTLEADER')
end
if ARGV[5] == 'changes' and redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('SCHEDULELOST')
end
if ARGV[5] == 'whole' then redis.call('DEL', KEYS[1]) end
local removals = tonumber(ARGV[4])
for i = 6, 5 + removals do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = 6 + removals, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
return 1`;

/** A write to the shared schedule by a process that no longer holds the scheduler's lease. */
export class NotLeaderError extends DocketError {
  constructor() {
    super(
      ErrorCode.conflict,
      'this process no longer leads the timer scheduler: the schedule was not written',
    );
    this.name = 'NotLeaderError';
  }
}

export interface RedisTimerScheduleOptions {
  /** Key prefix (`<prefix>:schedule:*`), the same for every process of a deployment. */
  readonly prefix: string;
  /** The scheduler lease's key and, while this process leads, the value it holds: commits are
   *  refused unless the lease still holds it (a deposed leader's late writes are dropped). */
  readonly fence?: { readonly key: string; readonly value: () => string | undefined };
}

/**
 * The timer scheduler's state in Redis, shared by every `timers` process of a fleet: pending
 * timers in a hash, the log checkpoint beside them, changed together in one script that first
 * checks the writer still holds the scheduler's lease (its fencing value). Derived from the log:
 * a schedule written under another version is ignored and the leader replays from the start.
 */
export class RedisTimerSchedule implements TimerSchedule {
  readonly #keys: readonly [string, string, string];
  /** This schedule has been loaded or written: from now on, its keys must exist. */
  #written = false;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisTimerScheduleOptions,
  ) {
    const p = `${options.prefix}:schedule`;
    this.#keys = [`${p}:timers`, `${p}:checkpoint`, `${p}:version`];
  }

  async load(): Promise<{ checkpoint: bigint | undefined; timers: CaseTimer[] }> {
    const [timersKey, checkpointKey, versionKey] = this.#keys;
    const [version, checkpoint, rows] = await Promise.all([
      this.redis.get(versionKey),
      this.redis.get(checkpointKey),
      this.redis.hvals(timersKey),
    ]);
    if (version !== String(TIMER_SCHEDULE_VERSION)) return { checkpoint: undefined, timers: [] };
    this.#written = true;
    const timers = rows
      .map((row) => JSON.parse(row) as CaseTimer)
      .filter((t) => (timerKinds as readonly string[]).includes(t.kind));
    return { checkpoint: checkpoint === null ? undefined : BigInt(checkpoint), timers };
  }

  commit(changes: TimerChanges, checkpoint: bigint): Promise<void> {
    return this.#write(changes, checkpoint, this.#written ? 'changes' : 'first');
  }

  async rewrite(timers: readonly CaseTimer[], checkpoint: bigint): Promise<void> {
    await this.#write({ add: timers, remove: [] }, checkpoint, 'whole');
  }

  async #write(
    changes: TimerChanges,
    checkpoint: bigint,
    mode: 'first' | 'changes' | 'whole',
  ): Promise<void> {
    const fence = this.options.fence;
    const holding = fence === undefined ? '' : fence.value();
    if (holding === undefined) throw new NotLeaderError();
    const args: string[] = [
      holding,
      checkpoint.toString(),
      String(TIMER_SCHEDULE_VERSION),
      String(changes.remove.length),
      mode,
      ...changes.remove.map(timerId),
    ];
    for (const t of changes.add) {
      const { caseId, kind, revision, dueAt } = t;
      args.push(timerId(t), JSON.stringify({ caseId, kind, revision, dueAt }));
    }
    try {
      await this.redis.eval(COMMIT, 4, ...this.#keys, fence?.key ?? '', ...args);
      this.#written = true;
    } catch (error) {
      if (error instanceof Error && error.message.includes('NOTLEADER')) throw new NotLeaderError();
      if (error instanceof Error && error.message.includes('SCHEDULELOST')) {
        throw new DocketFault(
          FaultCode.timerScheduleLost,
          'the timer schedule is gone from Redis (a restart without persistence?): it is written whole again',
        );
      }
      throw error;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
