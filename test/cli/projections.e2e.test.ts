import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections/allProjections.js';
import { caseQueue } from '../../projections/caseQueue.js';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { openBody } from '../specs/httpSpec.js';
import { servicesWith } from '../specs/servicesSpec.js';
import { parsed } from '../specs/caseCommands.js';

/** `docket projections status|rebuild` and `docket report sla` on a store written beforehand. */
const dataDir = mkdtempSync(join(tmpdir(), 'docket-projections-cli-'));
const env = { ...process.env, DOCKET_DATA_DIR: dataDir };
const docket = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/docket.js', ...args], { env, encoding: 'utf8' });
let head = 0;

beforeAll(async () => {
  const store = new SqliteEventStore({ path: join(dataDir, 'docket.db') });
  const { commands } = await servicesWith(
    store,
    new VirtualClock(Date.parse('2026-11-23T02:00:00Z')),
  );
  const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
  for (let i = 0; i < 5; i++) {
    await commands.handle(parsed({ type: 'open', caseId: `c${i}`, actor: ada, input: openBody }));
    if (i % 2 === 0)
      await commands.handle(
        parsed({
          type: 'respond',
          caseId: `c${i}`,
          actor: { role: 'agent', id: 'li' },
          input: { message: 'hi' },
        }),
      );
  }
  for await (const e of store.readAll({ direction: 'backwards', maxCount: 1 }))
    head = Number(e.position);
  await store.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('docket projections and docket report', () => {
  it('status shows how far behind the log each projection is; rebuild catches up with progress lines', () => {
    const before = docket('projections', 'status', '--json');
    expect(before.status, before.stderr).toBe(0);
    const lagging = JSON.parse(before.stdout) as {
      projections: Array<{ name: string; lag: number; rebuilding: boolean }>;
    };
    // Never built: rebuilding from the log's head, until a projector gets there.
    expect(lagging.projections.map((p) => [p.name, p.lag, p.rebuilding])).toEqual([
      ['case-queue', head, true],
      ['sla-compliance', head, true],
      ['case-list', head, true],
    ]);
    expect(docket('projections', 'status').stdout).toMatch(
      new RegExp(
        `case-queue\\s+v${caseQueue.version}\\s+position\\s+-1\\s+lag\\s+\\d+\\s+rebuilding yes\\s+updated `,
      ),
    );
    const rebuild = docket('projections', 'rebuild');
    expect(rebuild.status, rebuild.stderr).toBe(0);
    expect(rebuild.stdout).toMatch(
      /^rebuilt case-queue, sla-compliance, case-list from \d+ events/,
    );
    expect(rebuild.stderr).toMatch(/rebuilding: \d+\/\d+ events, \d+ events\/s, ETA \d+s/);
    const after = JSON.parse(docket('projections', 'status', '--json').stdout) as {
      projections: Array<{
        name: string;
        version: number;
        position: number;
        head: number;
        lag: number;
        rebuilding: boolean;
        updatedAt: string;
      }>;
    };
    expect(after.projections).toEqual(
      ['case-queue', 'sla-compliance', 'case-list'].map((name) => ({
        name,
        version: allProjections.find((p) => p.name === name)!.version,
        position: head,
        head,
        lag: 0,
        rebuilding: false,
        updatedAt: expect.any(String) as unknown,
      })),
    );
    const human = docket('projections', 'status');
    expect(human.stdout).toMatch(
      new RegExp(
        `case-queue\\s+v${caseQueue.version}\\s+position\\s+\\d+\\s+lag\\s+0\\s+rebuilding no\\s+updated `,
      ),
    );
  });

  it('report sla prints JSON or CSV for a range of days', () => {
    const json = docket('report', 'sla', '--from', '2026-11-01', '--to', '2026-11-30');
    expect(json.status, json.stderr).toBe(0);
    const { rows } = JSON.parse(json.stdout) as {
      rows: Array<{ day: string; opened: number; firstResponses: number }>;
    };
    expect(rows).toEqual([
      expect.objectContaining({ day: '2026-11-23', opened: 5, firstResponses: 3 }),
    ]);
    const csv = docket('report', 'sla', '--from', '2026-11-01', '--to', '2026-11-30', '--csv');
    expect(csv.stdout.split('\r\n')[1]).toMatch(/^2026-11-23,21vianet,technical,B,5,3,3,0,/);
  });

  it('bad input exits non-zero with a message on stderr', () => {
    for (const args of [
      ['report', 'sla', '--from', 'yesterday', '--to', '2026-11-30'],
      ['report', 'sla', '--from', '2026-11-30', '--to', '2026-11-01'],
      ['report', 'sla', '--to', '2026-11-01'],
      ['projections', 'rebuild', 'no-such-projection'],
    ]) {
      const run = docket(...args);
      expect(run.status, args.join(' ')).not.toBe(0);
      expect(run.stderr, args.join(' ')).toMatch(/docket:|error:/);
    }
  });
});
