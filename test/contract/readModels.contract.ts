import { setImmediate as tick } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections/allProjections.js';
import { caseQueue } from '../../projections/caseQueue.js';
import type { CaseQueueTable } from '../../projections/caseQueueTable.js';
import { applyEvents, type Projection } from '../../projections/projection.js';
import { readPositions, readWithPosition } from '../../projections/projectionPositions.js';
import { agentWorkload, queryQueue, type QueueName } from '../../projections/queueQueries.js';
import type { SlaCasesTable } from '../../projections/slaCasesTable.js';
import { slaCompliance } from '../../projections/slaCompliance.js';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import type { ReadModelDb } from '../../src/adapters/readModelDb.js';
import { createDocketServices } from '../../src/application/docketServices.js';
import type { EventMetadata, EventStore, RecordedEvent } from '../../src/application/eventStore.js';
import { policyRegistry } from '../../src/application/policyRegistry.js';
import { projectionContext } from '../../src/application/projectionContext.js';
import { Projector, type ProjectorOptions } from '../../src/application/projector.js';
import type { Actor } from '../../src/domain/actor.js';
import type { CommandType } from '../../src/domain/case/caseCommands.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import { parsed } from '../specs/caseCommands.js';
import { ProjectionCheckpointStore } from '../../src/adapters/projectionCheckpointStore.js';

/** One empty read-model database, and how to remove it. */
export interface ReadModelsFixture {
  readonly db: ReadModelDb;
  /** What the service passes the projector for this database (PostgreSQL: true). */
  readonly lockCheckpoints: boolean;
  cleanup(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Given: a scripted history, made by the real command handler on a virtual clock
// ---------------------------------------------------------------------------------------------

const context = projectionContext(policyRegistry(defaultPolicy));
const root: Actor = { role: 'admin', id: 'root' };
const li: Actor = { role: 'agent', id: 'li' };
const mei: Actor = { role: 'agent', id: 'mei' };
const scheduler: Actor = { role: 'timer', id: 'scheduler' };
const customer = (tenant: string): Actor => ({
  role: 'customer-admin',
  tenant,
  id: `${tenant}-admin`,
});
const categoryOf: Record<string, string> = {
  technical: 'sso',
  billing: 'licenses',
  presales: 'plan-comparison',
};
/** `z('23T02:00')` is 2026-11-23T02:00:00.000Z: every instant of the history is in that month. */
const z = (dayAndTime: string) => `2026-11-${dayAndTime}:00.000Z`;

/**
 * Fifteen cases through every event type of the case lifecycle. Phase 1 is Monday 23 November 2026
 * (10:00 in Beijing at 02:00Z); phase 2 is a week later: an auto-close, a late first response,
 * a survey after closing.
 */
const scriptedHistory = async () => {
  const store = new MemoryEventStore();
  const clock = new VirtualClock(Date.parse(z('23T02:00')));
  const services = await createDocketServices(store, clock, defaultPolicy);
  if (!services.ok) throw services.error;
  const { commands, tenants } = services.value;
  for (const tenant of [
    { id: 'contoso', offering: '21vianet', advancedAgreement: true },
    { id: 'fabrikam', offering: '21vianet', advancedAgreement: false },
    { id: 'kontor', offering: 'office365-germany', advancedAgreement: true },
  ]) {
    const registered = await tenants.register(root, tenant);
    if (!registered.ok) throw registered.error;
  }
  const at = (dayAndTime: string) => clock.advanceTo(Date.parse(z(dayAndTime)));
  const run = async (type: CommandType, caseId: string, actor: Actor, input: unknown = {}) => {
    const result = await commands.handle(parsed({ type, caseId, actor, input }));
    if (!result.ok) throw new Error(`${type} ${caseId}: ${result.error.message}`);
    if (result.value.events.length === 0) throw new Error(`${type} ${caseId}: no events`);
  };
  const open = (caseId: string, tenant: string, line: string, severity: 'A' | 'B' | 'C') =>
    run('open', caseId, customer(tenant), {
      line,
      severity,
      category: categoryOf[line],
      title: `Title ${caseId}`,
      contact: { name: 'Ada', email: 'ada@example.com', phone: '+86 21 5555 0100' },
      businessImpact: 'Mail is down for everyone.',
    });

  const phase1 = async () => {
    at('23T02:00');
    await open('q-breach', 'contoso', 'technical', 'A');
    await open('q-open', 'contoso', 'technical', 'B');
    await run('assign', 'q-open', li, { agent: 'li' });
    await open('q-fab', 'fabrikam', 'technical', 'A'); // no advanced agreement: opened as B
    await open('q-sev', 'contoso', 'technical', 'B');
    await open('q-down', 'contoso', 'technical', 'A');
    await open('q-gone', 'contoso', 'technical', 'A');
    await open('q-info', 'contoso', 'billing', 'B');
    await open('q-reply', 'contoso', 'technical', 'C');
    await open('q-resolved', 'fabrikam', 'presales', 'C');
    await open('q-withdrawn', 'contoso', 'technical', 'C');
    await open('q-reopened', 'contoso', 'technical', 'B');
    await open('q-closed', 'contoso', 'technical', 'B');
    at('23T02:10');
    await run('requestInfo', 'q-down', li, { message: 'Logs, please.' });
    at('23T02:30');
    await run('assign', 'q-fab', mei, { agent: 'mei' });
    await run('respond', 'q-fab', mei, { message: 'Looking.' });
    await run('requestInfo', 'q-info', li, { message: 'Which invoice?' });
    await run('assign', 'q-reply', mei, { agent: 'mei' });
    await run('requestInfo', 'q-reply', mei, { message: 'Which version?' });
    await run('respond', 'q-resolved', li, { message: 'See the plan comparison.' });
    await run('resolve', 'q-resolved', li, { reason: 'advice-given', summary: 'Docs.' });
    await run('respond', 'q-reopened', li, { message: 'Try this.' });
    await run('resolve', 'q-reopened', li, { reason: 'fixed', summary: 'Fixed.' });
    await run('respond', 'q-closed', li, { message: 'Fixed.' });
    await run('resolve', 'q-closed', li, { reason: 'fixed', summary: 'Fixed.' });
    await run('withdraw', 'q-withdrawn', customer('contoso'), { reason: 'Found it.' });
    at('23T03:30');
    await run('checkResponseDeadline', 'q-breach', scheduler);
    await run('checkResponseDeadline', 'q-gone', scheduler);
    await run('resolve', 'q-gone', li, { reason: 'duplicate', summary: 'See q-breach.' });
    // Raised to A after the A due instant passed: SeverityChanged and the breach at once.
    await run('changeSeverity', 'q-sev', li, { severity: 'A', reason: 'Outage.' });
    await run('customerReply', 'q-reply', customer('contoso'), { message: '16.0' });
    await run('reopen', 'q-reopened', customer('contoso'), { reason: 'Back again.' });
    at('23T06:15'); // past q-down's 4 h nonresponse period (due 06:10)
    await run('checkCustomerNonresponse', 'q-down', scheduler);
    at('23T17:30'); // 01:30 on the 24th in Beijing
    await open('q-late', 'contoso', 'technical', 'C');
    at('23T23:30'); // 00:30 on the 24th in Berlin
    await open('k-late', 'kontor', 'technical', 'B');
    return headPosition(store);
  };

  const phase2 = async () => {
    at('30T03:00'); // resolved 23T02:30 + 7 days has passed
    await run('checkAutoClose', 'q-closed', scheduler);
    await run('respond', 'q-open', li, { message: 'Sorry for the wait.' });
    at('30T04:00');
    await run('submitSurvey', 'q-closed', customer('contoso'), { rating: 4 });
    await run('submitSurvey', 'q-resolved', customer('fabrikam'), { rating: 2 });
    return headPosition(store);
  };

  /** An event no projection cares about (a directory stream): moves the log, not the rows. */
  const unrelated = async () => {
    const registered = await tenants.register(root, {
      id: 'northwind',
      offering: '21vianet',
      advancedAgreement: false,
    });
    if (!registered.ok) throw registered.error;
    return headPosition(store);
  };

  return { store, phase1, phase2, unrelated };
};

/** The whole history, as recorded (for tests that feed it to a store at their own pace). */
const recordedHistory = async (): Promise<RecordedEvent[]> => {
  const history = await scriptedHistory();
  await history.phase1();
  await history.phase2();
  return collect(history.store.readAll());
};

const collect = async (source: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  for await (const event of source) out.push(event);
  return out;
};

const headPosition = async (store: EventStore): Promise<bigint> => {
  for await (const event of store.readAll({ direction: 'backwards', maxCount: 1 })) {
    return event.position;
  }
  return 0n;
};

/** Appends recorded events to `target` in order (one append per command); the new head. */
const copyEvents = async (events: readonly RecordedEvent[], target: EventStore) => {
  let head = 0n;
  for (let i = 0; i < events.length;) {
    const first = events[i]!;
    let end = i + 1;
    while (
      end < events.length &&
      events[end]!.streamId === first.streamId &&
      events[end]!.metadata.commandId === first.metadata.commandId
    )
      end++;
    const result = await target.append(
      first.streamId,
      events.slice(i, end).map((e) => {
        const metadata: Partial<Record<string, unknown>> = { ...e.metadata };
        delete metadata.previousHash; // the target store chains its own hashes
        delete metadata.hash;
        return {
          type: e.type,
          schemaVersion: e.schemaVersion,
          data: e.data,
          metadata: metadata as unknown as EventMetadata,
        };
      }),
      { expectedRevision: 'any' },
    );
    head = result.position;
    i = end;
  }
  return head;
};

/** A store whose subscriptions report how far they have delivered. */
const observedStore = (inner: EventStore) => {
  let yielded = -1n;
  const store: EventStore = {
    append: (streamId, events, options) => inner.append(streamId, events, options),
    readStream: (streamId, options) => inner.readStream(streamId, options),
    readAll: (options) => inner.readAll(options),
    readByStream: () => inner.readByStream(),
    close: () => inner.close(),
    subscribe: (options) => {
      const subscription = inner.subscribe(options);
      return {
        close: () => subscription.close(),
        async *[Symbol.asyncIterator]() {
          for await (const event of subscription) {
            yielded = event.position;
            yield event;
          }
        },
      };
    },
  };
  /** Resolves once the consumer has received (and synchronously handled) `position`. */
  const delivered = async (position: bigint) => {
    for (let i = 0; yielded < position; i++) {
      if (i > 100_000) throw new Error(`position ${position} was never delivered`);
      await tick();
    }
    await tick();
  };
  return { store, delivered };
};

/** A store that hands every subscriber the whole log again, whatever checkpoint it asks for. */
const redeliveringStore = (inner: EventStore): EventStore => ({
  append: (streamId, events, options) => inner.append(streamId, events, options),
  readStream: (streamId, options) => inner.readStream(streamId, options),
  readAll: (options) => inner.readAll(options),
  readByStream: () => inner.readByStream(),
  close: () => inner.close(),
  subscribe: () => inner.subscribe({}),
});

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timeout: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timeout));
};

// ---------------------------------------------------------------------------------------------
// Then: rows
// ---------------------------------------------------------------------------------------------

const byKey =
  <T>(key: (row: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** Every row of every read model, in an order that does not depend on the dialect. */
const tables = async (db: ReadModelDb) => ({
  case_queue: (await db.selectFrom('case_queue').selectAll().execute()).sort(
    byKey((r) => r.case_id),
  ),
  sla_cases: (await db.selectFrom('sla_cases').selectAll().execute()).sort(byKey((r) => r.case_id)),
  agent_workload: (await db.selectFrom('agent_workload').selectAll().execute()).sort(
    byKey((r) => `${r.assignee ?? ''}\u0000${r.state}`),
  ),
});

const checkpoints = async (db: ReadModelDb) =>
  (await db.selectFrom('projection_checkpoints').selectAll().execute()).sort(byKey((r) => r.name));

const queueColumns = [
  'case_id',
  'tenant',
  'offering',
  'line',
  'severity',
  'state',
  'assignee',
  'opened_at',
  'response_due_at',
  'breached',
  'waiting_on',
  'nonresponse_due_at',
  'updated_at',
  'revision',
] as const;
/** A case_queue row in `queueColumns` order (category and title follow from line and id). */
type QueueTuple = [
  string,
  string,
  string,
  string,
  string,
  string,
  string | null,
  string,
  string,
  number,
  string,
  string | null,
  string,
  number,
];
const queueRows = (tuples: readonly QueueTuple[]): CaseQueueTable[] =>
  tuples.map((tuple) => {
    const row = Object.fromEntries(queueColumns.map((c, i) => [c, tuple[i]])) as Omit<
      CaseQueueTable,
      'category' | 'title'
    >;
    return { ...row, category: categoryOf[row.line]!, title: `Title ${row.case_id}` };
  });

const slaColumns = [
  'case_id',
  'tenant',
  'offering',
  'line',
  'severity',
  'day',
  'opened_at',
  'first_response_at',
  'response_ms',
  'response_business_ms',
  'within_target',
  'breached',
  'downgrades',
  'reopens',
  'resolved_at',
  'survey_rating',
] as const;
/** An sla_cases row in `slaColumns` order. */
type SlaTuple = [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string | null,
  number | null,
  number | null,
  number | null,
  number,
  number,
  number,
  string | null,
  number | null,
];
const slaRows = (tuples: readonly SlaTuple[]): SlaCasesTable[] =>
  tuples.map(
    (tuple) =>
      Object.fromEntries(slaColumns.map((c, i) => [c, tuple[i]])) as unknown as SlaCasesTable,
  );

const V = '21vianet';
const G = 'office365-germany';

/** case_queue after phase 1: closed cases are gone, resolved ones stay until they close. */
// prettier-ignore
const queueAfterPhase1 = queueRows([
  // case_id      tenant      offering line         sev  state               assignee opened         due             br  waiting_on  nonresponse_due  updated         rev
  ['k-late',      'kontor',   G, 'technical', 'B', 'opened',           null,  z('23T23:30'), z('24T23:30'), 0, 'agent',    null,           z('23T23:30'), 0],
  ['q-breach',    'contoso',  V, 'technical', 'A', 'opened',           null,  z('23T02:00'), z('23T03:00'), 1, 'agent',    null,           z('23T03:30'), 1],
  ['q-closed',    'contoso',  V, 'technical', 'B', 'resolved',         null,  z('23T02:00'), z('24T02:00'), 0, 'customer', null,           z('23T02:30'), 2],
  ['q-down',      'contoso',  V, 'technical', 'B', 'downgraded',       null,  z('23T02:00'), z('23T03:00'), 0, 'customer', z('25T06:15'),  z('23T06:15'), 2],
  ['q-fab',       'fabrikam', V, 'technical', 'B', 'responded',        'mei', z('23T02:00'), z('24T02:00'), 0, 'agent',    null,           z('23T02:30'), 2],
  ['q-gone',      'contoso',  V, 'technical', 'A', 'resolved',         null,  z('23T02:00'), z('23T03:00'), 1, 'customer', null,           z('23T03:30'), 2],
  ['q-info',      'contoso',  V, 'billing',   'B', 'awaitingCustomer', null,  z('23T02:00'), z('24T02:00'), 0, 'customer', z('25T02:30'),  z('23T02:30'), 1],
  ['q-late',      'contoso',  V, 'technical', 'C', 'opened',           null,  z('23T17:30'), z('26T16:00'), 0, 'agent',    null,           z('23T17:30'), 0],
  ['q-open',      'contoso',  V, 'technical', 'B', 'opened',           'li',  z('23T02:00'), z('24T02:00'), 0, 'agent',    null,           z('23T02:00'), 1],
  ['q-reopened',  'contoso',  V, 'technical', 'B', 'responded',        null,  z('23T02:00'), z('24T02:00'), 0, 'agent',    null,           z('23T03:30'), 3],
  ['q-reply',     'contoso',  V, 'technical', 'C', 'responded',        'mei', z('23T02:00'), z('26T02:00'), 0, 'agent',    null,           z('23T03:30'), 3],
  ['q-resolved',  'fabrikam', V, 'presales',  'C', 'resolved',         null,  z('23T02:00'), z('26T02:00'), 0, 'customer', null,           z('23T02:30'), 2],
  ['q-sev',       'contoso',  V, 'technical', 'A', 'opened',           null,  z('23T02:00'), z('23T03:00'), 1, 'agent',    null,           z('23T03:30'), 2],
  ['q-withdrawn', 'contoso',  V, 'technical', 'C', 'resolved',         null,  z('23T02:00'), z('26T02:00'), 0, 'customer', null,           z('23T02:30'), 1],
]);

/** case_queue after phase 2: q-closed left; q-open answered (late); q-resolved got a survey. */
const queueAfterPhase2 = queueAfterPhase1
  .filter((r) => r.case_id !== 'q-closed')
  .map((r) =>
    r.case_id === 'q-open'
      ? { ...r, state: 'responded', updated_at: z('30T03:00'), revision: 2 }
      : r.case_id === 'q-resolved'
        ? { ...r, updated_at: z('30T04:00'), revision: 3 }
        : r,
  );

/**
 * sla_cases after phase 2: every case ever opened; severity as opened (q-sev stays B, q-down
 * A); day in the offering's zone (q-late: Beijing, k-late: Berlin, both the 24th).
 */
// prettier-ignore
const slaAfterPhase2 = slaRows([
  // case_id      tenant      offering line         sev  day           opened         first response  ms         business   in br dn ro resolved        rating
  ['k-late',      'kontor',   G, 'technical', 'B', '2026-11-24', z('23T23:30'), null,           null,      null,      null, 0, 0, 0, null,          null],
  ['q-breach',    'contoso',  V, 'technical', 'A', '2026-11-23', z('23T02:00'), null,           null,      null,      null, 1, 0, 0, null,          null],
  ['q-closed',    'contoso',  V, 'technical', 'B', '2026-11-23', z('23T02:00'), z('23T02:30'),  1_800_000, 1_800_000, 1,    0, 0, 0, z('23T02:30'), 4],
  ['q-down',      'contoso',  V, 'technical', 'A', '2026-11-23', z('23T02:00'), z('23T02:10'),  600_000,   600_000,   1,    0, 1, 0, null,          null],
  ['q-fab',       'fabrikam', V, 'technical', 'B', '2026-11-23', z('23T02:00'), z('23T02:30'),  1_800_000, 1_800_000, 1,    0, 0, 0, null,          null],
  ['q-gone',      'contoso',  V, 'technical', 'A', '2026-11-23', z('23T02:00'), null,           null,      null,      null, 1, 0, 0, z('23T03:30'), null],
  ['q-info',      'contoso',  V, 'billing',   'B', '2026-11-23', z('23T02:00'), z('23T02:30'),  1_800_000, 1_800_000, 1,    0, 0, 0, null,          null],
  ['q-late',      'contoso',  V, 'technical', 'C', '2026-11-24', z('23T17:30'), null,           null,      null,      null, 0, 0, 0, null,          null],
  // 7 days 1 hour late; in business time 14 h + 6 × 15 h + 2 h of 09:00–24:00 Beijing = 106 h
  ['q-open',      'contoso',  V, 'technical', 'B', '2026-11-23', z('23T02:00'), z('30T03:00'),  608_400_000, 381_600_000, 0,  0, 0, 0, null,          null],
  ['q-reopened',  'contoso',  V, 'technical', 'B', '2026-11-23', z('23T02:00'), z('23T02:30'),  1_800_000, 1_800_000, 1,    0, 0, 1, null,          null],
  ['q-reply',     'contoso',  V, 'technical', 'C', '2026-11-23', z('23T02:00'), z('23T02:30'),  1_800_000, 1_800_000, 1,    0, 0, 0, null,          null],
  ['q-resolved',  'fabrikam', V, 'presales',  'C', '2026-11-23', z('23T02:00'), z('23T02:30'),  1_800_000, 1_800_000, 1,    0, 0, 0, z('23T02:30'), 2],
  ['q-sev',       'contoso',  V, 'technical', 'B', '2026-11-23', z('23T02:00'), null,           null,      null,      null, 1, 0, 0, null,          null],
  ['q-withdrawn', 'contoso',  V, 'technical', 'C', '2026-11-23', z('23T02:00'), null,           null,      null,      null, 0, 0, 0, z('23T02:30'), null],
]);

/** Phase 1 lacks phase 2's late response and surveys; q-closed is only resolved. */
const slaAfterPhase1 = slaAfterPhase2.map((r) =>
  r.case_id === 'q-open'
    ? {
        ...r,
        first_response_at: null,
        response_ms: null,
        response_business_ms: null,
        within_target: null,
      }
    : r.case_id === 'q-closed' || r.case_id === 'q-resolved'
      ? { ...r, survey_rating: null }
      : r,
);

const workloadAfterPhase1 = [
  { assignee: null, state: 'awaitingCustomer', cases: 1 },
  { assignee: null, state: 'downgraded', cases: 1 },
  { assignee: null, state: 'opened', cases: 4 },
  { assignee: null, state: 'responded', cases: 1 },
  { assignee: 'li', state: 'opened', cases: 1 },
  { assignee: 'mei', state: 'responded', cases: 2 },
];

/** What a complete projection of the scripted history holds. */
const expectedFinal = {
  case_queue: queueAfterPhase2,
  sla_cases: slaAfterPhase2,
  agent_workload: workloadAfterPhase1.map((w) =>
    w.assignee === 'li' ? { ...w, state: 'responded' } : w,
  ),
};

/** The public SQL interface (docs/reporting.md): column, type, nullable. */
const documentedColumns: Record<string, Array<[string, 'text' | 'integer' | 'bigint', boolean]>> = {
  case_queue: [
    ['case_id', 'text', false],
    ['tenant', 'text', false],
    ['offering', 'text', false],
    ['line', 'text', false],
    ['category', 'text', false],
    ['title', 'text', false],
    ['severity', 'text', false],
    ['state', 'text', false],
    ['assignee', 'text', true],
    ['opened_at', 'text', false],
    ['response_due_at', 'text', false],
    ['breached', 'integer', false],
    ['waiting_on', 'text', false],
    ['nonresponse_due_at', 'text', true],
    ['updated_at', 'text', false],
    ['revision', 'integer', false],
  ],
  sla_cases: [
    ['case_id', 'text', false],
    ['tenant', 'text', false],
    ['offering', 'text', false],
    ['line', 'text', false],
    ['severity', 'text', false],
    ['day', 'text', false],
    ['opened_at', 'text', false],
    ['first_response_at', 'text', true],
    ['response_ms', 'bigint', true],
    ['response_business_ms', 'bigint', true],
    ['within_target', 'integer', true],
    ['breached', 'integer', false],
    ['downgrades', 'integer', false],
    ['reopens', 'integer', false],
    ['resolved_at', 'text', true],
    ['survey_rating', 'integer', true],
  ],
  projection_checkpoints: [
    ['name', 'text', false],
    ['version', 'integer', false],
    ['position', 'bigint', false],
    ['updated_at', 'text', false],
    ['rebuild_to', 'bigint', true],
  ],
};

/** SQLite's declared type or PostgreSQL's, as the documentation names it. */
const typeFamily = (dataType: string) =>
  ({ text: 'text', integer: 'integer', int4: 'integer', bigint: 'bigint', int8: 'bigint' })[
    dataType.toLowerCase()
  ] ?? dataType;

/** The tables and views of this database only (PostgreSQL: the schema on the search path). */
const ownTables = async (db: ReadModelDb) => {
  const schema = await sql<{ name: string }>`select current_schema() as name`
    .execute(db)
    .then((r) => r.rows[0]?.name)
    .catch(() => undefined); // SQLite has no schemas
  const found = await db.introspection.getTables();
  return found.filter((t) => schema === undefined || t.schema === schema);
};

// ---------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------

/**
 * The read-model contract (projections issue): given events, then rows, for each projection;
 * idempotency; rebuild equality; version changes; the checkpoint in the rows' transaction. Every
 * test gets an empty database of its own from `open`.
 */
export const readModelsContract = (name: string, open: () => Promise<ReadModelsFixture>) => {
  describe(`read models contract: ${name}`, () => {
    let fixture: ReadModelsFixture;
    let db: ReadModelDb;
    let projectors: Projector[] = [];

    beforeEach(async () => {
      fixture = await open();
      db = fixture.db;
      projectors = [];
    });

    afterEach(async () => {
      for (const projector of projectors) {
        await within(projector.close(), 500, 'closing a projector').catch(() => undefined);
      }
      await fixture.cleanup();
    });

    const projectorOn = (store: EventStore, options: Partial<ProjectorOptions> = {}) => {
      const projector = new Projector({
        store,
        checkpoints: new ProjectionCheckpointStore(db, { lock: fixture.lockCheckpoints }),
        projections: allProjections,
        context,
        clock: new VirtualClock(Date.parse('2026-12-01T00:00:00Z')),
        batchMs: 2,
        ...options,
      });
      projectors.push(projector);
      return projector;
    };

    const caughtUp = (projector: Projector, position: bigint, ms = 10_000) =>
      within(projector.caughtUp(position), ms, `projector caught up to ${position}`);

    /** Phase 1 projected by a running projector (the history object continues from there). */
    const projectedPhase1 = async (options: Partial<ProjectorOptions> = {}) => {
      const history = await scriptedHistory();
      const projector = projectorOn(history.store, options);
      await projector.start();
      const head = await history.phase1();
      await caughtUp(projector, head);
      return { history, projector, head };
    };

    it('creates the documented tables and view, with the documented columns', async () => {
      await projectorOn(new MemoryEventStore()).prepare();
      const found = await ownTables(db);
      const columns = (table: string) =>
        found
          .find((t) => t.name === table)
          ?.columns.map((c) => [c.name, typeFamily(c.dataType), c.isNullable]);
      expect(found.map((t) => [t.name, t.isView]).sort()).toEqual([
        ['agent_workload', true],
        ['case_queue', false],
        ['projection_checkpoints', false],
        ['sla_cases', false],
      ]);
      for (const [table, expected] of Object.entries(documentedColumns)) {
        expect(columns(table), table).toEqual(expected);
      }
      expect(columns('agent_workload')?.map(([c]) => c)).toEqual(['assignee', 'state', 'cases']);
      expect(await checkpoints(db)).toEqual([
        {
          name: 'case-queue',
          version: caseQueue.version,
          position: -1,
          updated_at: '2026-12-01T00:00:00.000Z',
          rebuild_to: null,
        },
        {
          name: 'sla-compliance',
          version: 1,
          position: -1,
          updated_at: '2026-12-01T00:00:00.000Z',
          rebuild_to: null,
        },
      ]);
    });

    describe('given events, then rows', () => {
      it('case-queue: one row per case not closed, with whose move it is', async () => {
        await projectedPhase1();
        expect((await tables(db)).case_queue).toEqual(queueAfterPhase1);
      });

      it('sla-compliance: one row per case ever opened, severity and day as opened', async () => {
        await projectedPhase1();
        expect((await tables(db)).sla_cases).toEqual(slaAfterPhase1);
      });

      it('agent_workload: active cases per assignee and state, unassigned first (resolved ones do not count)', async () => {
        await projectedPhase1();
        expect(await agentWorkload(db)).toEqual(workloadAfterPhase1);
      });

      it('events appended later move the rows: a closed case leaves the queue, its SLA row stays', async () => {
        const { history, projector } = await projectedPhase1();
        const head = await history.phase2();
        await caughtUp(projector, head);
        expect(await tables(db)).toEqual(expectedFinal);
        const at = '2026-12-01T00:00:00.000Z';
        expect(await checkpoints(db)).toEqual([
          {
            name: 'case-queue',
            version: caseQueue.version,
            position: Number(head),
            updated_at: at,
            rebuild_to: null,
          },
          {
            name: 'sla-compliance',
            version: 1,
            position: Number(head),
            updated_at: at,
            rebuild_to: null,
          },
        ]);
      });

      it('queue views: breached first then by due instant; filters; tenant scoping; paging', async () => {
        const { history, projector } = await projectedPhase1();
        await caughtUp(projector, await history.phase2());
        const ids = async (queue: QueueName, q: Parameters<typeof queryQueue>[2] = {}) =>
          (await queryQueue(db, queue, q)).map((r) => r.case_id);
        const agentQueue = [
          'q-breach', // breached, due 03:00 (tie: by case id)
          'q-sev', // breached when raised to A, due 03:00
          'q-fab', // due 24T02:00
          'q-open',
          'q-reopened',
          'k-late', // due 24T23:30
          'q-reply', // due 26T02:00
          'q-late', // due 26T16:00
        ];
        expect(await ids('agent')).toEqual(agentQueue);
        // Resolved cases wait on the customer (to reopen) but are in no queue.
        expect(await ids('awaiting-customer')).toEqual(['q-info', 'q-down']);
        expect(await ids('breached')).toEqual(['q-breach', 'q-sev']); // not q-gone: resolved

        expect(await ids('agent', { tenant: 'fabrikam' })).toEqual(['q-fab']);
        expect(await ids('agent', { tenant: 'kontor' })).toEqual(['k-late']);
        expect(await ids('awaiting-customer', { tenant: 'fabrikam' })).toEqual([]);
        expect(await ids('breached', { tenant: 'fabrikam' })).toEqual([]);
        expect(await ids('agent', { line: 'billing' })).toEqual([]);
        expect(await ids('awaiting-customer', { line: 'billing' })).toEqual(['q-info']);
        expect(await ids('agent', { severity: 'A' })).toEqual(['q-breach', 'q-sev']);
        expect(await ids('agent', { severity: 'C' })).toEqual(['q-reply', 'q-late']);
        expect(await ids('awaiting-customer', { severity: 'B' })).toEqual(['q-info', 'q-down']);
        expect(await ids('agent', { assignee: 'mei' })).toEqual(['q-fab', 'q-reply']);
        expect(await ids('agent', { tenant: 'contoso', severity: 'B' })).toEqual([
          'q-open',
          'q-reopened',
        ]);

        expect(await ids('agent', { limit: 3 })).toEqual(agentQueue.slice(0, 3));
        expect(await ids('agent', { limit: 3, offset: 3 })).toEqual(agentQueue.slice(3, 6));
        expect(await ids('agent', { limit: 3, offset: 6 })).toEqual(agentQueue.slice(6));
        expect(await ids('agent', { limit: 3, offset: 9 })).toEqual([]);

        // The rows are case_queue's rows.
        const rows = await queryQueue(db, 'awaiting-customer', { tenant: 'contoso' });
        expect(rows).toEqual(
          queueAfterPhase2.filter((r) => ['q-info', 'q-down'].includes(r.case_id)).reverse(),
        );
      });
    });

    describe('idempotency', () => {
      it('a second projector handed the whole log again applies nothing twice', async () => {
        const history = await scriptedHistory();
        await history.phase1();
        const head = await history.phase2();
        const first = projectorOn(history.store);
        await first.start();
        await caughtUp(first, head);
        await first.close();
        const before = { rows: await tables(db), checkpoints: await checkpoints(db) };

        let delivered = 0;
        let firstDelivered: bigint | undefined;
        const applied = deferred();
        const watched = projectorOn(redeliveringStore(history.store), {
          clock: new VirtualClock(Date.parse('2027-01-01T00:00:00Z')),
          batchSize: 7,
          onApplied: (batch) => {
            firstDelivered ??= batch.firstPosition;
            delivered += batch.events;
            if (delivered >= Number(head)) applied.resolve();
          },
        });
        await watched.start();
        await within(applied.promise, 10_000, 'the log delivered again');
        expect(firstDelivered).toBe(1n);
        // Rows, positions and even the checkpoints' updated_at (another clock) are untouched.
        expect({ rows: await tables(db), checkpoints: await checkpoints(db) }).toEqual(before);
      });

      it('two projectors on one database apply each event once', async () => {
        const history = await scriptedHistory();
        const a = projectorOn(history.store, { batchSize: 3 });
        const b = projectorOn(history.store, { batchSize: 5 });
        await a.start();
        await b.start();
        await history.phase1();
        const head = await history.phase2();
        await Promise.all([caughtUp(a, head), caughtUp(b, head)]);
        expect(await tables(db)).toEqual(expectedFinal);
      });

      it('two projectors preparing the same database at once both start', async () => {
        const history = await scriptedHistory();
        const a = projectorOn(history.store);
        const b = projectorOn(history.store);
        await Promise.all([a.start(), b.start()]);
        await history.phase1();
        const head = await history.phase2();
        await Promise.all([caughtUp(a, head), caughtUp(b, head)]);
        expect(await tables(db)).toEqual(expectedFinal);
      });

      /** Batches of `size` events (the last one shorter). */
      const chunks = <T>(items: readonly T[], size: number): T[][] =>
        Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
          items.slice(i * size, (i + 1) * size),
        );

      it('the evolve functions are deterministic: one batch, event by event and live give the same rows', async () => {
        const events = await recordedHistory();
        /** Each batch folded afresh: rows of cases opened earlier are read from the tables. */
        const applyIn = async (projection: Projection, batches: RecordedEvent[][]) => {
          await projection.drop(db);
          await projection.create(db);
          for (const batch of batches) {
            await db.transaction().execute((trx) => applyEvents(projection, trx, batch, context));
          }
        };
        /** One fold across the batches, as the projector keeps it: rows from memory. */
        const foldIn = async (projection: Projection, batches: RecordedEvent[][]) => {
          await projection.drop(db);
          await projection.create(db);
          const fold = projection.fold(context);
          for (const batch of batches) {
            for (const event of batch) fold.add(event);
            await db.transaction().execute((trx) => fold.take()(trx));
          }
        };
        for (const batches of [[events], events.map((e) => [e]), chunks(events, 4)]) {
          for (const apply of [applyIn, foldIn]) {
            await apply(caseQueue, batches);
            await apply(slaCompliance, batches);
            expect(await tables(db)).toEqual(expectedFinal);
          }
        }
        // Twice the same batch into fresh tables: the same rows again.
        await applyIn(caseQueue, [events]);
        await applyIn(slaCompliance, [events]);
        expect(await tables(db)).toEqual(expectedFinal);
      });
    });

    describe('rebuild', () => {
      it('rows built live, in many small batches, equal the rows of a rebuild from 0', async () => {
        const { history, projector } = await projectedPhase1({ batchSize: 4 });
        const head = await history.phase2();
        await caughtUp(projector, head);
        const live = { rows: await tables(db), checkpoints: await checkpoints(db) };
        expect(live.rows).toEqual(expectedFinal);

        await projector.rebuild();
        await caughtUp(projector, head);
        expect({ rows: await tables(db), checkpoints: await checkpoints(db) }).toEqual(live);
      });

      it('rebuild(name) empties and replays that projection only', async () => {
        const { history, projector } = await projectedPhase1();
        const head = await history.phase2();
        await caughtUp(projector, head);
        await projector.rebuild(['sla-compliance']);
        expect(await projector.status()).toEqual([
          expect.objectContaining({
            name: 'case-queue',
            position: Number(head),
            rebuilding: false,
          }),
          expect.objectContaining({ name: 'sla-compliance', position: -1, rebuilding: true }),
        ]);
        expect((await tables(db)).case_queue).toEqual(queueAfterPhase2);
        await caughtUp(projector, head);
        expect(await tables(db)).toEqual(expectedFinal);
      });

      it('rebuild while a batch is still waiting to be written gives the same rows', async () => {
        const events = await recordedHistory();
        const phase1End = events.findIndex((e) => e.metadata.occurredAt >= z('30T00:00'));
        const { store, delivered } = observedStore(new MemoryEventStore());
        // The timer writes a batch after 250 ms: long enough for the rebuild to start first.
        const projector = projectorOn(store, { batchMs: 250 });
        await projector.start();
        await caughtUp(projector, await copyEvents(events.slice(0, phase1End), store));
        const head = await copyEvents(events.slice(phase1End), store);
        await delivered(head); // phase 2 waits in the projector's batch
        await projector.rebuild();
        await caughtUp(projector, head);
        expect(await tables(db)).toEqual(expectedFinal);
      });
    });

    describe('positions: a rebuild marks itself in the checkpoint rows', () => {
      const at2027 = '2027-01-01T00:00:00.000Z';
      const projected = async (options: Partial<ProjectorOptions> = {}) => {
        const { history, projector } = await projectedPhase1(options);
        const head = await history.phase2();
        await caughtUp(projector, head);
        return { history, projector, head };
      };
      /** `docket projections rebuild` in another process, killed right after it emptied the tables. */
      const killedRebuild = (store: EventStore) =>
        projectorOn(store, { clock: new VirtualClock(Date.parse(at2027)) }).rebuild();
      /** A projector's `onApplied`: `replayed()` resolves once, armed, a batch reaches `to`. */
      const replayWatch = () => {
        const done = deferred();
        let to: bigint | undefined;
        return {
          arm: (position: bigint) => (to = position),
          onApplied: (batch: { lastPosition: bigint }) => {
            if (to !== undefined && batch.lastPosition >= to) done.resolve();
          },
          replayed: () => within(done.promise, 10_000, `replayed to ${to}`),
        };
      };

      it('a first start on a log with events is rebuilding until its checkpoint reaches the head', async () => {
        const history = await scriptedHistory();
        const head = await history.phase1();
        const projector = projectorOn(history.store);
        await projector.prepare();
        expect(await projector.status()).toEqual(
          allProjections.map(
            (p) =>
              expect.objectContaining({
                name: p.name,
                position: -1,
                rebuilding: true,
              }) as unknown,
          ),
        );
        expect((await checkpoints(db)).map((c) => c.rebuild_to)).toEqual([
          Number(head),
          Number(head),
        ]);
        await projector.start();
        await caughtUp(projector, head);
        expect((await checkpoints(db)).map((c) => [c.position, c.rebuild_to])).toEqual([
          [Number(head), null],
          [Number(head), null],
        ]);
        expect((await projector.status()).map((s) => s.rebuilding)).toEqual([false, false]);
      });

      it('every reader sees a rebuild whose process died, with the position each answer reflects', async () => {
        const { history, projector, head } = await projected();
        await projector.close();
        await killedRebuild(history.store);
        // Emptied, reset and marked in one transaction.
        expect(await checkpoints(db)).toEqual(
          allProjections.map((p) => ({
            name: p.name,
            version: p.version,
            position: -1,
            updated_at: at2027,
            rebuild_to: Number(head),
          })),
        );
        expect(await tables(db)).toEqual({ case_queue: [], sla_cases: [], agent_workload: [] });
        expect(await readPositions(db, allProjections)).toEqual(
          allProjections.map((p) => ({
            name: p.name,
            version: p.version,
            position: -1,
            rebuilding: true,
            updatedAt: at2027,
          })),
        );
        expect(await readWithPosition(db, caseQueue, (trx) => queryQueue(trx, 'agent'))).toEqual({
          answer: [],
          position: {
            name: 'case-queue',
            version: caseQueue.version,
            position: -1,
            rebuilding: true,
            updatedAt: at2027,
          },
        });

        // The next projector to start finishes the replay, and the mark goes with its last batch.
        const next = projectorOn(history.store, { batchSize: 5 });
        await next.start();
        await caughtUp(next, head);
        expect(await tables(db)).toEqual(expectedFinal);
        expect((await checkpoints(db)).map((c) => [c.position, c.rebuild_to])).toEqual([
          [Number(head), null],
          [Number(head), null],
        ]);
        const answer = await readWithPosition(db, slaCompliance, (trx) =>
          trx.selectFrom('sla_cases').select('case_id').execute(),
        );
        expect([
          answer.answer.length,
          answer.position.position,
          answer.position.rebuilding,
        ]).toEqual([expectedFinal.sla_cases.length, Number(head), false]);
      });

      it('an idle projector finds its checkpoints reset elsewhere and replays, with no new event', async () => {
        const watch = replayWatch();
        // A watch that never fires by itself: the test calls it.
        const { history, projector, head } = await projected({
          watchMs: 3_600_000,
          onApplied: watch.onApplied,
        });
        await killedRebuild(history.store);
        watch.arm(head);
        expect(await projector.checkCheckpoints()).toBe(true);
        await watch.replayed();
        expect(await tables(db)).toEqual(expectedFinal);
        expect((await checkpoints(db)).map((c) => [c.position, c.rebuild_to])).toEqual([
          [Number(head), null],
          [Number(head), null],
        ]);
      });

      it('it does so by itself every watchMs', async () => {
        const watch = replayWatch();
        const { history, head } = await projected({ watchMs: 10, onApplied: watch.onApplied });
        watch.arm(head);
        await killedRebuild(history.store);
        await watch.replayed();
        expect(await tables(db)).toEqual(expectedFinal);
      });

      it('a checkpoint table made before rebuild_to existed gets the column; positions and rows are kept', async () => {
        const { history, projector } = await projectedPhase1();
        await projector.close();
        await db.schema.alterTable('projection_checkpoints').dropColumn('rebuild_to').execute();
        const before = { rows: await tables(db), checkpoints: await checkpoints(db) };
        expect(before.checkpoints.every((c) => !('rebuild_to' in c))).toBe(true);

        const next = projectorOn(history.store);
        await next.prepare();
        await next.prepare(); // twice: nothing left to add
        expect({ rows: await tables(db), checkpoints: await checkpoints(db) }).toEqual({
          rows: before.rows,
          checkpoints: before.checkpoints.map((c) => ({ ...c, rebuild_to: null })),
        });
        await next.start();
        await caughtUp(next, await history.phase2());
        expect(await tables(db)).toEqual(expectedFinal);
      });
    });

    describe('versions', () => {
      it('a projection whose version changed is dropped and rebuilt from 0 by prepare()', async () => {
        const { history, projector } = await projectedPhase1();
        const head = await history.phase2();
        await caughtUp(projector, head);
        await projector.close();
        const before = await checkpoints(db);
        // A row no event made: a rebuild must not keep it.
        await db
          .insertInto('case_queue')
          .values({ ...queueAfterPhase2[0]!, case_id: 'stray' })
          .execute();

        const bumped = caseQueue.version + 1;
        const v2 = { ...caseQueue, version: bumped };
        const next = projectorOn(history.store, {
          projections: [v2, slaCompliance],
          clock: new VirtualClock(Date.parse('2027-01-01T00:00:00Z')),
        });
        await next.prepare();
        expect((await tables(db)).case_queue).toEqual([]);
        expect(await next.status()).toEqual([
          {
            name: 'case-queue',
            version: bumped,
            position: -1,
            rebuilding: true,
            updatedAt: '2027-01-01T00:00:00.000Z',
          },
          {
            name: 'sla-compliance',
            version: 1,
            position: Number(head),
            rebuilding: false,
            updatedAt: before[1]!.updated_at,
          },
        ]);
        await next.start();
        await caughtUp(next, head);
        expect(await tables(db)).toEqual(expectedFinal);
        expect(await checkpoints(db)).toEqual([
          { ...before[0]!, version: bumped, updated_at: '2027-01-01T00:00:00.000Z' },
          before[1],
        ]);
      });
    });

    describe('the checkpoint moves in the rows’ transaction', () => {
      /** case-queue, failing its next apply (after `gate`, if given) once armed. */
      const failingCaseQueue = () => {
        let armed = false;
        let gate: Promise<void> | undefined;
        const entered = deferred();
        const projection: Projection = {
          ...caseQueue,
          fold: (ctx) => {
            const inner = caseQueue.fold(ctx);
            return {
              add: (event) => inner.add(event),
              take: () => {
                const write = inner.take();
                return async (trx) => {
                  if (!armed) return write(trx);
                  armed = false;
                  entered.resolve();
                  await write(trx); // rows written, then the failure
                  if (gate !== undefined) await gate;
                  throw new Error('injected failure');
                };
              },
            };
          },
        };
        return {
          projection,
          entered: entered.promise,
          arm: (until?: Promise<void>) => {
            armed = true;
            gate = until;
          },
        };
      };

      it('a failing batch leaves rows and checkpoints as they were; the projector retries', async () => {
        const failing = failingCaseQueue();
        const failed = deferred();
        const errors: unknown[] = [];
        const { history, projector } = await projectedPhase1({
          projections: [slaCompliance, failing.projection],
          onError: (error) => {
            errors.push(error);
            failed.resolve();
          },
        });
        const before = { rows: await tables(db), checkpoints: await checkpoints(db) };
        failing.arm();
        const head = await history.phase2();
        await within(failed.promise, 10_000, 'the injected failure');
        // sla-compliance applied the batch first, in the same transaction: rolled back too.
        expect({ rows: await tables(db), checkpoints: await checkpoints(db) }).toEqual(before);
        expect(errors).toEqual([new Error('injected failure')]);

        await caughtUp(projector, head); // after the projector's 1 s pause
        expect(await tables(db)).toEqual(expectedFinal);
      });

      it('a failed batch is never skipped by the batch queued behind it', async () => {
        const events = await recordedHistory();
        const failing = failingCaseQueue();
        const gate = deferred();
        const observed = observedStore(new MemoryEventStore());
        const projector = projectorOn(observed.store, {
          projections: [slaCompliance, failing.projection],
          batchSize: 10,
          batchMs: 2,
          onError: () => undefined,
        });
        await projector.start();
        // Batch A (6 events, under batchSize) is written by the timer, and fails once released…
        failing.arm(gate.promise);
        await copyEvents(events.slice(0, 6), observed.store);
        await within(failing.entered, 10_000, 'batch A applied');
        // …while batch B (10 events: batchSize) queues behind it.
        const bEnd = await copyEvents(events.slice(6, 16), observed.store);
        await observed.delivered(bEnd);
        gate.resolve();
        const head = await copyEvents(events.slice(16), observed.store);
        await caughtUp(projector, head);
        expect(await tables(db)).toEqual(expectedFinal);
      });
    });

    describe('restarts', () => {
      const projectedOnce = async () => {
        const history = await scriptedHistory();
        await history.phase1();
        const head = await history.phase2();
        const first = projectorOn(history.store);
        await first.start();
        await caughtUp(first, head);
        await first.close();
        return { history, head };
      };

      it('a projector started on a caught-up database is caught up at once', async () => {
        const { history, head } = await projectedOnce();
        const again = projectorOn(history.store);
        await again.start();
        await caughtUp(again, head, 1_000);
        // Still following the log: an unrelated event moves the checkpoints, not the rows.
        const next = await history.unrelated();
        await caughtUp(again, next);
        expect(await tables(db)).toEqual(expectedFinal);
        expect((await again.status()).map((s) => s.position)).toEqual([Number(next), Number(next)]);
      });

      it('a projector closed right after start() closes', async () => {
        const { history } = await projectedOnce();
        const again = projectorOn(history.store);
        await again.start();
        await within(again.close(), 1_000, 'close right after start');
      });
    });
  });
};
