import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresLease } from '../../src/adapters/postgresLease.js';
import { RedisLease } from '../../src/adapters/redisLease.js';
import { SqliteLease } from '../../src/adapters/sqliteLease.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { leaseContract } from '../contract/lease.contract.js';
import { createTestSchema, postgresAvailability } from '../specs/postgresSpec.js';
import { deleteKeysWithPrefix, redisAvailability } from '../specs/redisSpec.js';

leaseContract('SQLite lease row', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docket-lease-'));
  const path = join(dir, 'leases.db');
  const clock = new VirtualClock(Date.parse('2026-11-30T00:00:00Z'));
  const lease = () => new SqliteLease({ path, name: 'timer-scheduler', ttlMs: 5_000, clock });
  const first = lease();
  const second = lease();
  return Promise.resolve({
    first,
    second,
    lapse: () => {
      clock.advanceTo(clock.now() + 5_000);
      return Promise.resolve();
    },
    close: async () => {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

const redis = await redisAvailability();
if (redis.mode === 'skip') {
  describe.skip(`lease contract: Redis (${redis.reason})`, () => undefined);
} else {
  if (redis.mode === 'fail') it('lease contract: Redis', () => expect.fail(redis.reason));
  else
    leaseContract('Redis key with a fencing counter', () => {
      const prefix = `docket-test-${randomUUID()}`;
      const client = new Redis(redis.url, { maxRetriesPerRequest: null });
      const key = `${prefix}:lease:timer-scheduler`;
      const first = new RedisLease(client, { key, ttlMs: 5_000 });
      const second = new RedisLease(client, { key, ttlMs: 5_000 });
      return Promise.resolve({
        first,
        second,
        // What the expiry of a dead holder's key does, without waiting for it.
        lapse: async () => void (await client.del(key)),
        close: async () => {
          await deleteKeysWithPrefix(client, prefix);
          client.disconnect();
        },
      });
    });
}

const postgres = await postgresAvailability();
if (postgres.mode === 'skip') {
  describe.skip(`lease contract: PostgreSQL (${postgres.reason})`, () => undefined);
} else {
  if (postgres.mode === 'fail')
    it('lease contract: PostgreSQL', () => expect.fail(postgres.reason));
  else
    leaseContract('PostgreSQL session advisory lock', async () => {
      const schema = await createTestSchema(postgres.url);
      const name = `projector:${schema.name}`;
      const lease = () => new PostgresLease({ url: postgres.url, name, schema: schema.name });
      const first = lease();
      const second = lease();
      return {
        first,
        second,
        // A holder that dies: the server ends its session (and so its lock).
        lapse: async () => {
          const admin = new pg.Client({ connectionString: postgres.url });
          await admin.connect();
          await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_locks
              WHERE locktype = 'advisory' AND objid = (hashtextextended($1, 0) & 4294967295)::oid
                AND granted AND pid <> pg_backend_pid()`,
            [name],
          );
          await admin.end();
        },
        close: async () => {
          await first.close();
          await second.close();
          await schema.drop();
        },
      };
    });
}
