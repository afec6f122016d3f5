import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailability, type TestSchema } from '../specs/postgresSpec.js';
import {
  customerToken,
  databaseUrlWithSchema,
  DocketProcess,
  eventually,
  killAll,
  openCase,
  repoRoot,
  tempDir,
} from './fleet.js';

/**
 * The active projector dies (#15): two `projector` processes and one `api` on one store and one
 * PostgreSQL read-model schema. Exactly one projector is active (it says so in its log); it is
 * SIGKILLed while cases are being opened; the other takes over (its log says so) and carries on
 * from the checkpoints. Once it has caught up, every read-model table must hold exactly what
 * `docket projections rebuild` makes from the same log in a schema of its own.
 */
const CASES_BEFORE = 150;
const CASES_DURING = 150;
const ACTIVE = /^projector: this process is the active one/;

const postgres = await postgresAvailability();

/** Every row of the read-model tables of `schema`, in a stable order. */
const readModelRows = async (client: pg.Client, schema: string) => {
  const s = pg.escapeIdentifier(schema);
  const rows = async (sql: string) => (await client.query(sql)).rows as unknown[];
  return {
    caseQueue: await rows(`select * from ${s}.case_queue order by case_id`),
    slaCases: await rows(`select * from ${s}.sla_cases order by case_id`),
    checkpoints: await rows(
      `select name, version, position, rebuild_to from ${s}.projection_checkpoints order by name`,
    ),
  };
};

if (postgres.mode === 'skip') {
  it.skip(`projector failover — skipped: ${postgres.reason}`, () => undefined);
} else {
  describe('projector failover: two projector processes on one PostgreSQL schema', () => {
    const dir = tempDir('projector');
    const schemas: TestSchema[] = [];

    beforeAll(async () => {
      if (postgres.mode === 'fail') throw new Error(postgres.reason);
      schemas.push(await createTestSchema(postgres.url), await createTestSchema(postgres.url));
    });

    afterAll(async () => {
      await killAll();
      for (const schema of schemas) await schema.drop();
      dir.remove();
    });

    it('one is active; killed, the other takes over; the read models equal a rebuild', async () => {
      const [live, rebuilt] = schemas as [TestSchema, TestSchema];
      const env = {
        DOCKET_DATA_DIR: dir.path,
        DATABASE_URL: databaseUrlWithSchema(postgres.url, live.name),
      };
      const api = await DocketProcess.start('api', 'api', env);
      const admin = api.adminToken!;
      const projectors = await Promise.all([
        DocketProcess.start('projector-1', 'projector', env),
        DocketProcess.start('projector-2', 'projector', env),
      ]);
      const activeOnes = () => projectors.filter((p) => p.logged(ACTIVE).length > 0);
      const first = await eventually('a projector to be active', () => activeOnes()[0]);
      const standby = projectors.find((p) => p !== first)!;

      const ada = await customerToken(api.url, admin);
      const caughtUp = (what: string) =>
        eventually(
          `the read models to catch up with the log (${what})`,
          async () => {
            const res = await fetch(`${api.url}/projections`, {
              headers: { authorization: `Bearer ${admin}` },
            });
            const { projections } = (await res.json()) as {
              projections: Array<{ lag: number; head: number }>;
            };
            return projections.length > 0 && projections.every((p) => p.lag === 0)
              ? projections[0]!.head
              : undefined;
          },
          { timeoutMs: 30_000, everyMs: 100 },
        );
      const open = (n: number) =>
        Promise.all(Array.from({ length: n }, () => openCase(api.url, ada)));

      await open(CASES_BEFORE);
      await caughtUp('before the kill');
      // Both have been up all along, trying the lease every second: one holds it.
      expect(activeOnes()).toEqual([first]);
      expect(first.logged(ACTIVE)).toHaveLength(1);

      // The active one dies while cases are being opened; the standby takes over.
      const opening = open(CASES_DURING);
      const killedAt = Date.now();
      await first.kill('SIGKILL');
      const takeover = await standby.waitForLog(ACTIVE, { timeoutMs: 30_000 });
      await opening;
      const head = await caughtUp('after the takeover');
      expect(standby.logged(ACTIVE)).toHaveLength(1);

      // A rebuild of the same log into a schema of its own.
      const rebuild = spawn(
        process.execPath,
        [join(repoRoot, 'bin/docket.js'), 'projections', 'rebuild'],
        {
          cwd: repoRoot,
          env: {
            ...process.env,
            DOCKET_DATA_DIR: dir.path,
            DATABASE_URL: databaseUrlWithSchema(postgres.url, rebuilt.name),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let rebuildOutput = '';
      rebuild.stdout.on('data', (d: Buffer) => (rebuildOutput += d.toString()));
      rebuild.stderr.on('data', (d: Buffer) => (rebuildOutput += d.toString()));
      const code = await new Promise<number | null>((done) => rebuild.on('exit', done));
      expect(code, rebuildOutput).toBe(0);

      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      try {
        const projected = await readModelRows(client, live.name);
        const expected = await readModelRows(client, rebuilt.name);
        expect(projected.caseQueue).toHaveLength(CASES_BEFORE + CASES_DURING);
        expect(
          projected.checkpoints.map((c) => Number((c as { position: unknown }).position)),
        ).toEqual(expected.checkpoints.map(() => head));
        expect(projected).toEqual(expected);
      } finally {
        await client.end();
      }
      console.log(
        `projector failover: the standby was active ${takeover.time - killedAt} ms after the kill; ` +
          `read models equal a rebuild at log position ${head}`,
      );
    }, 120_000);
  });
}
