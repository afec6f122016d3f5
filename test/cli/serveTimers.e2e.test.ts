import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { defaultPolicyDocument } from '../../src/domain/policy/defaultPolicy.js';
import { deleteKeysWithPrefix, redisAvailability } from '../specs/redisSpec.js';

/**
 * Timers end to end through `docket serve` (what `npm start` runs): a policy whose technical B
 * target is 2 seconds on the 24×7 calendar, a case opened over HTTP, a breach recorded once.
 */
const dir = mkdtempSync(join(tmpdir(), 'docket-timers-e2e-'));
const policy = structuredClone(defaultPolicyDocument) as typeof defaultPolicyDocument & {
  version: string;
};
policy.version = 'test-seconds';
const b = policy.offerings['21vianet']!.lines['technical']!.severities.B!;
b.responseTarget = { seconds: 2 };
b.calendar = '24x7';
const policyFile = join(dir, 'policy.json');
writeFileSync(policyFile, JSON.stringify(policy));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serveWithTimers = (name: string, extraEnv: Record<string, string>) =>
  describe(`timers through docket serve (${name})`, () => {
    it('a case left unanswered records ResponseDeadlineBreached once, at its due instant', async () => {
      const env = {
        ...process.env,
        DOCKET_DATA_DIR: join(dir, name),
        DOCKET_POLICY: policyFile,
        PORT: '0',
        LOG_LEVEL: 'silent',
        ...extraEnv,
      };
      const child = spawn(process.execPath, ['bin/docket.js', 'serve'], { env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        // A start takes a second or so; a loaded machine may take much longer.
        for (const deadline = Date.now() + 60_000; !/listening on/.test(out);) {
          if (Date.now() > deadline || child.exitCode !== null) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
        expect(url, out + err).toBeDefined();
        expect(out).toMatch(new RegExp(`timers: ${name}`));
        const admin = /(dkt_[A-Za-z0-9_-]+)/.exec(out)![1]!;
        const call = async (token: string, method: string, path: string, body?: unknown) => {
          const res = await fetch(`${url}${path}`, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return (await res.json()) as Record<string, unknown>;
        };
        await call(admin, 'POST', '/tenants', {
          id: 'contoso',
          offering: '21vianet',
          advancedAgreement: true,
        });
        const ada = spawnSync(
          process.execPath,
          ['bin/docket.js', 'tokens', 'create', '--role', 'customer-admin', '--tenant', 'contoso'],
          { env, encoding: 'utf8' },
        ).stdout.split('\n')[0]!;
        const opened = await call(ada, 'POST', '/cases', {
          line: 'technical',
          severity: 'B',
          category: 'sso',
          title: 'SSO fails',
          contact: { name: 'Ada', email: 'ada@contoso.example' },
        });
        const view = opened.case as { id: string; response: { dueAt: string } };
        const dueAt = Date.parse(view.response.dueAt);
        let types: string[] = [];
        let events: Array<{ type: string; occurredAt: string }> = [];
        for (let i = 0; i < 150 && !types.includes('ResponseDeadlineBreached'); i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          events = (await call(ada, 'GET', `/cases/${view.id}/events`)).events as typeof events;
          types = events.map((e) => e.type);
        }
        await new Promise((resolve) => setTimeout(resolve, 500)); // a second firing would land now
        events = (await call(ada, 'GET', `/cases/${view.id}/events`)).events as typeof events;
        expect(events.map((e) => e.type)).toEqual(['CaseOpened', 'ResponseDeadlineBreached']);
        const breachedAt = Date.parse(events[1]!.occurredAt);
        expect(breachedAt).toBeGreaterThanOrEqual(dueAt);
        expect(breachedAt - dueAt).toBeLessThan(5_000);
        const read = await call(ada, 'GET', `/cases/${view.id}`);
        expect(read).toMatchObject({
          state: 'opened',
          response: { breached: true },
          deadlines: [],
        });
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    }, 120_000);
  });

serveWithTimers('in-process', {});

// With REDIS_URL the same run goes through BullMQ (fails without Redis when
// DOCKET_REQUIRE_SERVICES=1, as in CI; skipped with the reason otherwise).
const redis = await redisAvailability();
if (redis.mode === 'skip') {
  it.skip(`timers through docket serve (BullMQ) — skipped: ${redis.reason}`, () => undefined);
} else {
  const prefix = `docket-test-${randomUUID()}`;
  beforeAll(() => {
    if (redis.mode === 'fail') throw new Error(redis.reason);
  });
  afterAll(async () => {
    const admin = new Redis(redis.url, { maxRetriesPerRequest: null });
    await deleteKeysWithPrefix(admin, prefix);
    await admin.quit();
  });
  serveWithTimers('BullMQ', { REDIS_URL: redis.url, DOCKET_REDIS_PREFIX: prefix });
}
