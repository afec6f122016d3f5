import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections/allProjections.js';
import { applyEvents } from '../../projections/projection.js';
import { openSqliteReadModels, type ReadModelDb } from '../../src/adapters/readModelDb.js';
import { SqliteEventStore } from '../../src/adapters/sqliteEventStore.js';
import type { EventStore, RecordedEvent } from '../../src/application/eventStore.js';
import { policyRegistry } from '../../src/application/policyRegistry.js';
import { projectionContext } from '../../src/application/projectionContext.js';
import { Projector } from '../../src/application/projector.js';
import { scenarioSchema } from '../../src/application/scenario.js';
import { runSimulation, type SimulatedEvent } from '../../src/application/simulation.js';
import type { Actor } from '../../src/domain/actor.js';
import { caseEventTypes, currentSchemaVersion } from '../../src/domain/case/stream/caseEvents.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import { allTargetsPolicy } from '../specs/slaPolicies.js';
import { ProjectionCheckpointStore } from '../../src/adapters/projectionCheckpointStore.js';

/**
 * A projector killed with SIGKILL in the middle of a long catch-up (20,000+ case events, 200 per
 * transaction) leaves a read-model file whose rows match its checkpoint; restarted, it finishes,
 * and its rows equal a rebuild from 0 into another file.
 */
const context = projectionContext(policyRegistry(defaultPolicy));
const dir = mkdtempSync(join(tmpdir(), 'docket-projector-crash-'));
const eventsPath = join(dir, 'docket.db');
const TEMPLATE_CASES = 240;
const MIN_EVENTS = 30_000; // with the SLA target events: still over 2,000 cases

const tenants = [
  { id: 'contoso', offering: '21vianet', advancedAgreement: true },
  { id: 'fabrikam', offering: '21vianet', advancedAgreement: false },
  { id: 'kontor', offering: 'office365-germany', advancedAgreement: true },
];
const customer = (tenant: string): Actor => ({
  role: 'customer-admin',
  tenant,
  id: `${tenant}-admin`,
});
const li: Actor = { role: 'agent', id: 'li' };
const scheduler: Actor = { role: 'timer', id: 'scheduler' };

/** Eight kinds of case (every event type), one after another, every 7 minutes of November. */
const templateScenario = () => {
  const start = Date.parse('2026-11-02T01:00:00Z');
  const steps: Array<{ at: string; command: string; case: string; actor: Actor; input: unknown }> =
    [];
  for (let i = 0; i < TEMPLATE_CASES; i++) {
    const id = `t${i}`;
    const flow = i % 8;
    const tenant =
      flow === 2 || flow === 6 ? 'contoso' : flow === 7 ? 'kontor' : tenants[i % 2]!.id;
    const severity = flow === 2 ? 'A' : flow === 4 || flow === 7 ? 'C' : 'B';
    const step = (minutes: number, command: string, actor: Actor, input: unknown = {}) =>
      steps.push({
        at: new Date(start + i * 7 * 60_000 + minutes * 60_000).toISOString(),
        command,
        case: id,
        actor,
        input,
      });
    step(0, 'open', customer(tenant), {
      line: 'technical',
      severity,
      category: 'sso',
      title: `Case ${id}`,
      contact: { name: 'Ada', email: 'ada@example.com', phone: '+86 21 5555 0100' },
      businessImpact: 'Sign-in fails for everyone.',
    });
    const resolve = (minutes: number) =>
      step(minutes, 'resolve', li, { reason: 'fixed', summary: 'Fixed.' });
    switch (flow) {
      case 0:
        step(5, 'assign', li, { agent: 'li' });
        step(30, 'respond', li, { message: 'Looking.' });
        resolve(120);
        step(180, 'submitSurvey', customer(tenant), { rating: (i % 5) + 1 });
        break;
      case 1: {
        // Every other one answers the customer's reply ten hours late (next reply breached).
        const late = i % 16 === 9 ? 600 : 0;
        step(10, 'requestInfo', li, { message: 'Logs?' });
        step(60, 'customerReply', customer(tenant), { message: 'Attached.' });
        step(90 + late, 'respond', li, { message: 'Thanks.' });
        resolve(300 + late);
        break;
      }
      case 2: // never answered: breaches after an hour
        resolve(240);
        break;
      case 3: // the customer never replies: downgraded, then resolved, then closed
        step(15, 'requestInfo', li, { message: 'Logs?' });
        break;
      case 4:
        step(20, 'respond', li, { message: 'Try this.' });
        resolve(40);
        step(100, 'reopen', customer(tenant), { reason: 'Back.' });
        step(130, 'respond', li, { message: 'And this.' });
        resolve(200);
        step(210, 'submitSurvey', customer(tenant), { rating: 3 });
        break;
      case 5:
        step(3, 'withdraw', customer(tenant), { reason: 'Found it.' });
        break;
      case 6:
        step(10, 'changeSeverity', li, { severity: 'A', reason: 'Outage.' });
        step(20, 'respond', li, { message: 'On it.' });
        break;
      case 7:
        step(45, 'addNote', li, { text: 'Waiting for a slot.' });
        break;
    }
  }
  steps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return scenarioSchema.parse({ tenants, steps, until: '2026-12-31T00:00:00Z' });
};

const customerEvents = new Set([
  'CaseOpened',
  'CustomerResponded',
  'CaseWithdrawn',
  'CaseReopened',
  'SurveySubmitted',
]);
const timerEvents = new Set([
  'ResponseDeadlineBreached',
  'SeverityDowngraded',
  'CaseClosed',
  'SlaTargetAtRisk',
  'ResolutionDeadlineBreached',
  'NextReplyDeadlineBreached',
  'PeriodicUpdateDeadlineBreached',
]);

/** Who recorded an event: the customer's admin, the timer, or the agent. */
const actorOf = (type: SimulatedEvent['type'], tenant: string): Actor =>
  customerEvents.has(type) ? customer(tenant) : timerEvents.has(type) ? scheduler : li;

/**
 * The simulated cases, copied until there are MIN_EVENTS events (case `t7-3` is the fourth copy
 * of `t7`), appended in time order, one append per command; returns the head position.
 */
const writeEventStore = async (path: string): Promise<bigint> => {
  // Every SLA target on, so that the history holds every event type (the built-in policy sets
  // none and would record no SLA target event).
  const output = runSimulation(templateScenario(), allTargetsPolicy);
  expect(output.refused).toEqual([]);
  const templates = Object.entries(output.cases);
  const perCopy = templates.reduce((n, [, c]) => n + c.events.length, 0);
  const copies = Math.ceil(MIN_EVENTS / perCopy);
  type Command = { caseId: string; tenant: string; first: number; events: SimulatedEvent[] };
  const commands: Command[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const [id, c] of templates) {
      const caseId = `${id}-${copy}`;
      const opened = c.events[0]!.data as { tenant: { id: string } };
      c.events.forEach((event, revision) => {
        const previous = commands.at(-1);
        // Events a command recorded together share its instant (and its command id).
        if (previous?.caseId === caseId && previous.events.at(-1)!.at === event.at)
          previous.events.push(event);
        else commands.push({ caseId, tenant: opened.tenant.id, first: revision, events: [event] });
      });
    }
  }
  commands.sort((a, b) =>
    a.events[0]!.at < b.events[0]!.at ? -1 : a.events[0]!.at > b.events[0]!.at ? 1 : 0,
  );
  const store = new SqliteEventStore({ path, synchronous: 'normal' });
  try {
    // Appended without waiting: one group-committed transaction, in this order.
    const results = await Promise.all(
      commands.map(({ caseId, tenant, first, events }) => {
        const commandId = `${caseId}-${first}`;
        return store.append(
          `case-${caseId}`,
          events.map((e) => ({
            type: e.type,
            schemaVersion: currentSchemaVersion[e.type],
            data: e.type === 'CaseOpened' ? { ...e.data, caseId } : e.data,
            metadata: {
              commandId,
              causationId: commandId,
              correlationId: commandId,
              actor: actorOf(e.type, tenant),
              occurredAt: e.at,
              caseId,
              policyVersion: defaultPolicy.version,
              machineVersion: 1,
            },
          })),
          { expectedRevision: first === 0 ? 'no-stream' : first - 1 },
        );
      }),
    );
    return results.reduce((max, r) => (r.position > max ? r.position : max), 0n);
  } finally {
    await store.close();
  }
};

const byId = <T extends { case_id: string }>(rows: T[]) =>
  rows.sort((a, b) => (a.case_id < b.case_id ? -1 : a.case_id > b.case_id ? 1 : 0));

const tables = async (db: ReadModelDb) => ({
  case_queue: byId(await db.selectFrom('case_queue').selectAll().execute()),
  sla_cases: byId(await db.selectFrom('sla_cases').selectAll().execute()),
  agent_workload: (await db.selectFrom('agent_workload').selectAll().execute()).sort((a, b) =>
    `${a.assignee}/${a.state}` < `${b.assignee}/${b.state}` ? -1 : 1,
  ),
});

const positions = async (db: ReadModelDb) =>
  (await db.selectFrom('projection_checkpoints').select(['name', 'position']).execute()).sort(
    (a, b) => (a.name < b.name ? -1 : 1),
  );

/** Runs a projector over `store` into `path` until it has applied `head`. */
const projectInto = async (store: EventStore, path: string, head: bigint) => {
  const db = openSqliteReadModels(path);
  const projector = new Projector({
    store,
    checkpoints: new ProjectionCheckpointStore(db),
    projections: allProjections,
    context,
    clock: new VirtualClock(Date.parse('2027-01-01T00:00:00Z')),
  });
  await projector.start();
  await projector.caughtUp(head);
  await projector.close();
  return db;
};

describe('projector crash', () => {
  let head: bigint;

  beforeAll(async () => {
    head = await writeEventStore(eventsPath);
    expect(Number(head)).toBeGreaterThanOrEqual(MIN_EVENTS);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SIGKILLed mid-run and restarted, its rows equal a rebuild from 0', async () => {
    const crashedPath = join(dir, 'readmodels.db');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'fixtures', 'projectorChild.ts'),
        eventsPath,
        crashedPath,
        '200',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const applied: number[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      const match = /^applied (\d+)$/.exec(line);
      if (match !== null) applied.push(Number(match[1]));
      if (applied.length === 15) child.kill('SIGKILL');
    }
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    const lastReported = applied.at(-1)!;
    expect(lastReported).toBeLessThan(Number(head)); // killed mid-run

    // What the killed process left: an intact file whose rows are exactly the events up to
    // its checkpoint (rows and checkpoint moved in one transaction, batch by batch).
    const file = new Database(crashedPath);
    expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
    file.close();
    const store = new SqliteEventStore({ path: eventsPath });
    try {
      const crashed = openSqliteReadModels(crashedPath);
      const [first, second] = await positions(crashed);
      expect(first!.position).toBe(second!.position);
      const checkpoint = first!.position;
      expect(checkpoint).toBeGreaterThanOrEqual(lastReported);
      expect(checkpoint).toBeLessThan(Number(head));
      const prefix: RecordedEvent[] = [];
      const types = new Set<string>();
      for await (const e of store.readAll()) {
        types.add(e.type);
        if (Number(e.position) <= checkpoint) prefix.push(e);
      }
      expect([...types].sort()).toEqual([...caseEventTypes].sort());
      expect(Number(prefix.at(-1)!.position)).toBe(checkpoint);
      const reference = openSqliteReadModels(join(dir, 'prefix.db'));
      for (const p of allProjections) await p.create(reference);
      await reference.transaction().execute(async (trx) => {
        for (const p of allProjections) await applyEvents(p, trx, prefix, context);
      });
      expect(await tables(crashed)).toEqual(await tables(reference));
      await reference.destroy();
      await crashed.destroy();

      // Restarted on the same files, it finishes; a rebuild from 0 elsewhere gives the same.
      const restarted = await projectInto(store, crashedPath, head);
      const rebuilt = await projectInto(store, join(dir, 'rebuilt.db'), head);
      const rows = await tables(restarted);
      expect(rows.sla_cases.length).toBeGreaterThan(2_000);
      expect(rows).toEqual(await tables(rebuilt));
      expect(await positions(restarted)).toEqual(await positions(rebuilt));
      expect((await positions(restarted)).map((p) => p.position)).toEqual(
        allProjections.map(() => Number(head)),
      );
      await restarted.destroy();
      await rebuilt.destroy();
    } finally {
      await store.close();
    }
  });
});
