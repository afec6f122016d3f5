import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Lease } from '../application/lease.js';

// KEYS[1] the lease, KEYS[2] its fencing counter; ARGV[1] owner, ARGV[2] ttl in ms.
// The lease holds "<owner> <token>"; a free or expired lease gets the next token.
const ACQUIRE = `
local held = redis.call('GET', KEYS[1])
if held then
  local owner, token = string.match(held, '^(%S+) (%d+)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(token)
  end
  return false
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. token, 'PX', ARGV[2])
return token`;

// KEYS[1] the lease; ARGV[1] the value it must hold, ARGV[2] ttl in ms.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export interface RedisLeaseOptions {
  /** The lease's key; its fencing counter is `<key>:fence`. */
  readonly key: string;
  /**
   * How long the lease lasts without renewal: a holder that dies (or loses Redis) is replaced
   * after at most this long. Renew at a third of it.
   * @defaultValue 5000
   */
  readonly ttlMs?: number;
  /** @defaultValue a random UUID */
  readonly owner?: string;
}

/**
 * A lease in Redis: a key that expires unless its holder renews it, and a counter that gives
 * each new holder a larger fencing token. `value` is what the key holds while this process
 * leads, for writes that must check they still come from the leader (see RedisTimerSchedule).
 */
export class RedisLease implements Lease {
  readonly key: string;
  readonly #ttl: string;
  readonly #owner: string;
  #value: string | undefined;

  constructor(
    private readonly redis: Redis,
    options: RedisLeaseOptions,
  ) {
    this.key = options.key;
    this.#ttl = String(options.ttlMs ?? 5_000);
    this.#owner = options.owner ?? randomUUID();
  }

  /** What the lease key holds while this process leads (undefined otherwise). */
  get value(): string | undefined {
    return this.#value;
  }

  async acquire(): Promise<number | undefined> {
    const token = (await this.redis.eval(
      ACQUIRE,
      2,
      this.key,
      `${this.key}:fence`,
      this.#owner,
      this.#ttl,
    )) as number | null;
    this.#value = token === null ? undefined : `${this.#owner} ${token}`;
    return token ?? undefined;
  }

  async renew(): Promise<boolean> {
    if (this.#value === undefined) return false;
    const kept = (await this.redis.eval(RENEW, 1, this.key, this.#value, this.#ttl)) === 1;
    if (!kept) this.#value = undefined;
    return kept;
  }

  async release(): Promise<void> {
    const value = this.#value;
    this.#value = undefined;
    if (value !== undefined) await this.redis.eval(RELEASE, 1, this.key, value);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
