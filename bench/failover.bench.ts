/**
 * Failover (#15), figures only: how long a role goes without a leader when its leader dies.
 * Two `docket serve` processes run the role on one store; the leader is SIGKILLed; the figure
 * is the time from the kill to the first action of the new leader, its log line ("timer
 * scheduler: this process leads", "projector: this process is the active one", stamped by the
 * new leader's own clock, the same machine's). For the scheduler, the time until it has caught
 * up with the log (its "caught up" line) is given too. A new standby is started after each kill,
 * so every run kills a leader with a standby that has been up for 1–2 s (a random instant, so
 * that the kill falls anywhere in the lease's renewal cycle and the standby's attempts).
 *
 * - scheduler on the Redis lease (`REDIS_URL`: a key with a 5 s TTL, renewed every second);
 * - scheduler on the SQLite lease (no Redis: a row of `leases.db`, the same TTL);
 * - projector on the PostgreSQL lease (`DATABASE_URL`: a session advisory lock, freed when
 *   the holder's connection ends);
 * - projector on the SQLite lease (SQLite read models: a row of `leases.db`).
 *
 * Runs the built program (`npm run build` first). BENCH_RUNS (default 10) kills per
 * configuration; REDIS_URL and DATABASE_URL name the servers (the local ones by default); a
 * configuration whose server does not answer is left out, saying so.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  createTestSchema,
  postgresAvailability,
  type TestSchema,
} from '../test/specs/postgresSpec.js';
import { deleteKeysWithPrefix, redisAvailability } from '../test/specs/redisSpec.js';
import {
  databaseUrlWithSchema,
  DocketProcess,
  killAll,
  percentile,
  repoRoot,
  tempDir,
} from '../test/fleet/fleet.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(
    `failover bench: BENCH_RUNS must be a positive integer, not ${process.env['BENCH_RUNS']}`,
  );
  process.exit(2);
}
const LEADS = /^timer scheduler: this process leads/;
const CAUGHT_UP = /^timer scheduler: caught up/;
const ACTIVE = /^projector: this process is the active one/;

interface Configuration {
  readonly name: string;
  readonly role: 'timers' | 'projector';
  readonly env: Record<string, string>;
  /** The new leader's first action. */
  readonly first: RegExp;
  /** A later milestone, also timed from the kill. */
  readonly then?: { readonly name: string; readonly pattern: RegExp };
}

interface Figures {
  readonly takeover: number[];
  readonly then: number[];
}

/** Kills the leader `RUNS` times, each time with a standby up; ms from kill to its log lines. */
const measure = async (config: Configuration, dir: string): Promise<Figures> => {
  const env = { DOCKET_DATA_DIR: dir, ...config.env };
  let serial = 0;
  const start = () => DocketProcess.start(`${config.role}-${++serial}`, config.role, env, 60_000);
  // The first creates the store (and adopts the policy); the second joins it.
  let leader = await start();
  await leader.waitForLog(config.first, { timeoutMs: 30_000 });
  let standby = await start();
  const figures: Figures = { takeover: [], then: [] };
  for (let run = 1; run <= RUNS; run++) {
    // A crash comes at any moment of the lease's renewal cycle and of the standby's attempts
    // (each every second): kill 1–2 s after the standby came up, at a random instant.
    await new Promise((r) => setTimeout(r, 1_000 + Math.random() * 1_000));
    const seen = standby.logged(config.first).length;
    if (seen > 0) throw new Error(`${standby.name} led while ${leader.name} was alive`);
    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    const first = await standby.waitForLog(config.first, { n: seen + 1, timeoutMs: 30_000 });
    figures.takeover.push(first.time - killedAt);
    if (config.then !== undefined) {
      const then = await standby.waitForLog(config.then.pattern, { timeoutMs: 30_000 });
      figures.then.push(then.time - killedAt);
    }
    leader = standby;
    standby = await start();
    process.stdout.write(
      `  run ${run}: ${figures.takeover.at(-1)} ms` +
        (config.then === undefined ? '' : `, ${config.then.name} ${figures.then.at(-1)} ms`) +
        '\n',
    );
  }
  await killAll();
  return figures;
};

const summary = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50)} ms, max ${sorted.at(-1)} ms (range ${sorted[0]}–${sorted.at(-1)} ms)`;
};

if (!existsSync(join(repoRoot, 'dist/src/cli/main.js'))) {
  console.error('failover bench: dist/ is missing: run `npm run build` first');
  process.exit(1);
}

const redis = await redisAvailability();
const postgres = await postgresAvailability();
const prefix = `docket-bench-${randomUUID()}`;
let schema: TestSchema | undefined;
const configurations: Configuration[] = [];
if (redis.mode === 'run') {
  configurations.push({
    name: 'timer scheduler, Redis lease',
    role: 'timers',
    env: { REDIS_URL: redis.url, DOCKET_REDIS_PREFIX: prefix },
    first: LEADS,
    then: { name: 'caught up', pattern: CAUGHT_UP },
  });
} else console.log(`(timer scheduler on the Redis lease left out: ${redis.reason})`);
configurations.push({
  name: 'timer scheduler, SQLite lease',
  role: 'timers',
  env: {},
  first: LEADS,
  then: { name: 'caught up', pattern: CAUGHT_UP },
});
if (postgres.mode === 'run') {
  schema = await createTestSchema(postgres.url);
  configurations.push({
    name: 'projector, PostgreSQL lease',
    role: 'projector',
    env: { DATABASE_URL: databaseUrlWithSchema(postgres.url, schema.name) },
    first: ACTIVE,
  });
} else console.log(`(projector on the PostgreSQL lease left out: ${postgres.reason})`);
configurations.push({
  name: 'projector, SQLite lease',
  role: 'projector',
  env: {},
  first: ACTIVE,
});

const results: Array<{ config: Configuration; figures: Figures }> = [];
try {
  for (const config of configurations) {
    console.log(`${config.name}: ${RUNS} kills`);
    const dir = tempDir('bench');
    try {
      results.push({ config, figures: await measure(config, dir.path) });
    } finally {
      await killAll();
      dir.remove();
    }
  }
} finally {
  await killAll();
  if (redis.mode === 'run') {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    await deleteKeysWithPrefix(client, prefix);
    await client.quit();
  }
  await schema?.drop();
}

console.log(
  `\nfailover, SIGKILL of the leader → first action of the new leader (${RUNS} runs each)`,
);
for (const { config, figures } of results) {
  console.log(`  ${config.name.padEnd(30)} ${summary(figures.takeover)}`);
  if (config.then !== undefined)
    console.log(`  ${''.padEnd(30)} ${config.then.name}: ${summary(figures.then)}`);
}
