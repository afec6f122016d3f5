import { Redis } from 'ioredis';

/** Whether a suite that needs Redis runs, is skipped (no server, not required) or must fail. */
export type RedisAvailability =
  | { readonly mode: 'run'; readonly url: string }
  | { readonly mode: 'skip' | 'fail'; readonly url: string; readonly reason: string };

/** The Redis the integration tests use: `REDIS_URL`, else the local server. */
export const testRedisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Asks the server for PING within `timeoutMs`. When it does not answer, CI (which sets
 * `DOCKET_REQUIRE_SERVICES=1`) must fail; a developer without Redis gets a skip saying why.
 */
export const redisAvailability = async (
  url: string = testRedisUrl(),
  timeoutMs = 1_500,
): Promise<RedisAvailability> => {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let cause: string | undefined; // ECONNREFUSED and the like come as 'error' events
  client.on('error', (error: Error) => (cause ??= error.message));
  let failure: string | undefined;
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    failure = cause ?? (error instanceof Error ? error.message : String(error));
  } finally {
    client.disconnect();
  }
  if (failure === undefined) return { mode: 'run', url };
  const required = process.env.DOCKET_REQUIRE_SERVICES === '1';
  return {
    mode: required ? 'fail' : 'skip',
    url,
    reason: required
      ? `Redis at ${url} did not answer PING (${failure}) and DOCKET_REQUIRE_SERVICES=1: start it ('redis-server --daemonize yes --port 6379 --save ""') or point REDIS_URL at one`
      : `no Redis at ${url} (${failure}): start one or set REDIS_URL; set DOCKET_REQUIRE_SERVICES=1 to make this a failure`,
  };
};

/** Deletes every key under `prefix:` (a test's own namespace; never FLUSHALL a shared server). */
export const deleteKeysWithPrefix = async (redis: Redis, prefix: string): Promise<number> => {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
};
