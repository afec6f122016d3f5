/*
 * Then, for the read-model contract: every row the scripted history should leave in each read
 * model, and the documented public SQL interface.
 */
import { sql } from 'kysely';
import type { CaseQueueTable } from '../../../projections/caseQueueTable.js';
import type { SlaCasesTable } from '../../../projections/slaCasesTable.js';
import type { ReadModelDb } from '../../../src/adapters/readModelDb.js';
import { categoryOf, z } from './history.js';

const byKey =
  <T>(key: (row: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** Every row of every read model, in an order that does not depend on the dialect. */
export const tables = async (db: ReadModelDb) => ({
  case_queue: (await db.selectFrom('case_queue').selectAll().execute()).sort(
    byKey((r) => r.case_id),
  ),
  sla_cases: (await db.selectFrom('sla_cases').selectAll().execute()).sort(byKey((r) => r.case_id)),
  agent_workload: (await db.selectFrom('agent_workload').selectAll().execute()).sort(
    byKey((r) => `${r.assignee ?? ''}\u0000${r.state}`),
  ),
});

export const checkpoints = async (db: ReadModelDb) =>
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
    // The built-in policy sets no at-risk threshold: no target is ever at risk here.
    return {
      ...row,
      category: categoryOf[row.line]!,
      title: `Title ${row.case_id}`,
      at_risk: null,
      at_risk_at: null,
    };
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
  tuples.map((tuple) => ({
    ...(Object.fromEntries(slaColumns.map((c, i) => [c, tuple[i]])) as unknown as SlaCasesTable),
    // The built-in policy sets no at-risk threshold and no further target.
    at_risk_warnings: 0,
    resolution_within_target: null,
    resolution_breaches: 0,
    next_reply_met: 0,
    next_reply_breaches: 0,
    periodic_update_met: 0,
    periodic_update_breaches: 0,
  }));

const V = '21vianet';
const G = 'office365-germany';

/** case_queue after phase 1: closed cases are gone, resolved ones stay until they close. */
// prettier-ignore
export const queueAfterPhase1 = queueRows([
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
export const queueAfterPhase2 = queueAfterPhase1
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
export const slaAfterPhase2 = slaRows([
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
export const slaAfterPhase1 = slaAfterPhase2.map((r) =>
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

export const workloadAfterPhase1 = [
  { assignee: null, state: 'awaitingCustomer', cases: 1 },
  { assignee: null, state: 'downgraded', cases: 1 },
  { assignee: null, state: 'opened', cases: 4 },
  { assignee: null, state: 'responded', cases: 1 },
  { assignee: 'li', state: 'opened', cases: 1 },
  { assignee: 'mei', state: 'responded', cases: 2 },
];

/** What a complete projection of the scripted history holds. */
export const expectedFinal = {
  case_queue: queueAfterPhase2,
  sla_cases: slaAfterPhase2,
  agent_workload: workloadAfterPhase1.map((w) =>
    w.assignee === 'li' ? { ...w, state: 'responded' } : w,
  ),
};

/** The public SQL interface (docs/reporting.md): column, type, nullable. */
export const documentedColumns: Record<
  string,
  Array<[string, 'text' | 'integer' | 'bigint', boolean]>
> = {
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
    ['at_risk', 'text', true],
    ['at_risk_at', 'text', true],
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
    ['at_risk_warnings', 'integer', false],
    ['resolution_within_target', 'integer', true],
    ['resolution_breaches', 'integer', false],
    ['next_reply_met', 'integer', false],
    ['next_reply_breaches', 'integer', false],
    ['periodic_update_met', 'integer', false],
    ['periodic_update_breaches', 'integer', false],
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
export const typeFamily = (dataType: string) =>
  ({ text: 'text', integer: 'integer', int4: 'integer', bigint: 'bigint', int8: 'bigint' })[
    dataType.toLowerCase()
  ] ?? dataType;

/** The tables and views of this database only (PostgreSQL: the schema on the search path). */
export const ownTables = async (db: ReadModelDb) => {
  const schema = await sql<{ name: string }>`select current_schema() as name`
    .execute(db)
    .then((r) => r.rows[0]?.name)
    .catch(() => undefined); // SQLite has no schemas
  const found = await db.introspection.getTables();
  return found.filter((t) => schema === undefined || t.schema === schema);
};
