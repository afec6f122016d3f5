import { evolveCaseQueue } from './caseQueue.js';
import { caseRowFold, type EvolveRow } from './caseRowFold.js';
import { NO_DEADLINE, type CaseListTable } from './caseListTable.js';
import { eventData } from './eventData.js';
import type { Projection } from './projection.js';

/** The deadline running in a state, as the list sorts by it. */
const dueIn = (row: CaseListTable): string => {
  switch (row.state) {
    case 'opened':
      return row.response_due_at;
    case 'awaitingCustomer':
    case 'downgraded':
      return row.nonresponse_due_at ?? NO_DEADLINE;
    case 'resolved':
      return row.auto_close_at ?? NO_DEADLINE;
    default:
      return NO_DEADLINE;
  }
};

/**
 * A case's list row after an event: the queue's move (src: caseQueue.ts, the targets at risk
 * included), then what only the list keeps — closed cases, the running deadline.
 */
export const evolveCaseList: EvolveRow<CaseListTable> = (row, event, ctx) => {
  if (row !== undefined && event.type === 'CaseClosed') {
    return {
      ...row,
      state: 'closed',
      due_at: NO_DEADLINE,
      at_risk: null,
      at_risk_at: null,
      closed_at: event.metadata.occurredAt,
      updated_at: event.metadata.occurredAt,
      revision: event.revision,
    };
  }
  const queued = evolveCaseQueue(row, event, ctx);
  if (queued === undefined) return undefined;
  if (queued === row) return row; // an event type this build does not know
  const next: CaseListTable = {
    ...queued,
    region: row?.region ?? null,
    due_at: NO_DEADLINE,
    auto_close_at: row?.auto_close_at ?? null,
    closed_at: row?.closed_at ?? null,
  };
  switch (event.type) {
    case 'CaseOpened':
      next.region = eventData<'CaseOpened'>(event).tenant.region ?? null;
      break;
    case 'CaseResolved':
      next.auto_close_at = eventData<'CaseResolved'>(event).autoCloseAt;
      break;
    case 'CaseWithdrawn':
      next.auto_close_at = eventData<'CaseWithdrawn'>(event).autoCloseAt;
      break;
    case 'CaseReopened':
      next.auto_close_at = null;
      break;
  }
  next.due_at = dueIn(next);
  return next;
};

/** Every case, closed ones too, searchable and sorted by due instant or by last update. */
export const caseList: Projection = {
  name: 'case-list',
  // v2: at risk as recorded (`SlaTargetAtRisk`, the policy's thresholds), no longer 75 % of the
  // response target computed here.
  version: 2,
  create: async (db) => {
    await db.schema
      .createTable('case_list')
      .ifNotExists()
      .addColumn('case_id', 'text', (c) => c.primaryKey().notNull())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('offering', 'text', (c) => c.notNull())
      .addColumn('line', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('assignee', 'text')
      .addColumn('opened_at', 'text', (c) => c.notNull())
      .addColumn('response_due_at', 'text', (c) => c.notNull())
      .addColumn('breached', 'integer', (c) => c.notNull())
      .addColumn('waiting_on', 'text', (c) => c.notNull())
      .addColumn('nonresponse_due_at', 'text')
      .addColumn('at_risk', 'text')
      .addColumn('at_risk_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('region', 'text')
      .addColumn('due_at', 'text', (c) => c.notNull())
      .addColumn('auto_close_at', 'text')
      .addColumn('closed_at', 'text')
      .execute();
    // The two sort orders, alone and within a tenant (customers always filter by tenant).
    for (const [name, columns] of [
      ['case_list_due', ['due_at', 'case_id']],
      ['case_list_updated', ['updated_at', 'case_id']],
      ['case_list_tenant_due', ['tenant', 'due_at', 'case_id']],
      ['case_list_tenant_updated', ['tenant', 'updated_at', 'case_id']],
    ] as const) {
      await db.schema
        .createIndex(name)
        .ifNotExists()
        .on('case_list')
        .columns([...columns])
        .execute();
    }
  },
  drop: async (db) => {
    await db.schema.dropTable('case_list').ifExists().execute();
  },
  fold: (ctx) => caseRowFold('case_list', evolveCaseList, ctx),
};
