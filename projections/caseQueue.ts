import { activeStates } from '../src/domain/case/caseLifecycle.js';
import type { CaseEventType } from '../src/domain/case/stream/caseEvents.js';
import { caseRowFold, type EvolveRow } from './caseRowFold.js';
import { eventData } from './eventData.js';
import type { CaseQueueTable } from './caseQueueTable.js';
import type { Projection } from './projection.js';
import { sql } from 'kysely';
import { clearAtRisk, markAtRisk } from './targetsAtRisk.js';

/** The agent-side moves: what the case looks like after each event (undefined: gone). */
export const evolveCaseQueue: EvolveRow<CaseQueueTable> = (row, event) => {
  const at = event.metadata.occurredAt;
  if (event.type === 'CaseOpened') {
    const d = eventData<'CaseOpened'>(event);
    return {
      case_id: d.caseId,
      tenant: d.tenant.id,
      offering: d.tenant.offering,
      line: d.line,
      category: d.category,
      title: d.title,
      severity: d.severity,
      state: 'opened',
      assignee: null,
      opened_at: at,
      response_due_at: d.responseDueAt,
      breached: 0,
      waiting_on: 'agent',
      nonresponse_due_at: null,
      at_risk: null,
      at_risk_at: null,
      updated_at: at,
      revision: event.revision,
    };
  }
  if (row === undefined) return undefined; // history before CaseOpened: nothing to show
  // A fresh copy of the row per event, stamped, with the moved columns set in it.
  const next = stamped(row, at, event.revision);
  switch (event.type as CaseEventType) {
    case 'CaseAssigned':
      next.assignee = eventData<'CaseAssigned'>(event).agent;
      return next;
    case 'AgentResponded':
      clearAtRisk(next, 'response');
      next.state = 'responded';
      next.waiting_on = 'agent';
      next.nonresponse_due_at = null;
      return next;
    case 'CustomerResponded':
    case 'CaseReopened':
      next.state = 'responded';
      next.waiting_on = 'agent';
      next.nonresponse_due_at = null;
      return next;
    case 'CustomerInfoRequested':
      clearAtRisk(next, 'response');
      next.state = 'awaitingCustomer';
      next.waiting_on = 'customer';
      next.nonresponse_due_at = eventData<'CustomerInfoRequested'>(event).nonresponseDueAt;
      return next;
    case 'ResponseDeadlineBreached':
      clearAtRisk(next, 'response');
      next.breached = 1;
      return next;
    case 'SlaTargetAtRisk':
      markAtRisk(next, eventData<'SlaTargetAtRisk'>(event).target, at);
      return next;
    // A further target's clock ended (met, stopped, breached) or a new one began: its warning ends.
    case 'SlaTargetStarted':
    case 'SlaTargetStopped':
      clearAtRisk(next, eventData<'SlaTargetStopped'>(event).target);
      return next;
    case 'ResolutionDeadlineBreached':
      clearAtRisk(next, 'resolution');
      return next;
    case 'NextReplyDeadlineBreached':
      clearAtRisk(next, 'next-reply');
      return next;
    case 'PeriodicUpdateDeadlineBreached':
      clearAtRisk(next, 'periodic-update');
      return next;
    case 'SlaTargetPaused':
    case 'SlaTargetResumed':
      return next;
    case 'SeverityChanged': {
      const d = eventData<'SeverityChanged'>(event);
      next.severity = d.to;
      next.response_due_at = d.responseDueAt ?? row.response_due_at;
      next.nonresponse_due_at = d.nonresponseDueAt ?? row.nonresponse_due_at;
      return next;
    }
    case 'SeverityDowngraded': {
      const d = eventData<'SeverityDowngraded'>(event);
      next.state = 'downgraded';
      next.severity = d.to;
      next.nonresponse_due_at = d.nonresponseDueAt;
      return next;
    }
    case 'CaseResolved':
    case 'CaseWithdrawn':
      clearAtRisk(next);
      next.state = 'resolved';
      next.waiting_on = 'customer';
      next.nonresponse_due_at = null;
      return next;
    case 'CaseClosed':
      return undefined;
    case 'NoteAdded':
    case 'SurveySubmitted':
    case 'CaseOpened':
      return next;
    default:
      return row; // a type this version does not know (a newer build wrote it): no change
  }
};

/**
 * A copy of a row with a new `updated_at` and `revision`. Written out: a spread of the row's
 * eighteen columns plus overrides costs four times as much in V8, and this runs for every event
 * of a rebuild.
 */
const stamped = (r: CaseQueueTable, at: string, revision: number): CaseQueueTable => ({
  case_id: r.case_id,
  tenant: r.tenant,
  offering: r.offering,
  line: r.line,
  category: r.category,
  title: r.title,
  severity: r.severity,
  state: r.state,
  assignee: r.assignee,
  opened_at: r.opened_at,
  response_due_at: r.response_due_at,
  breached: r.breached,
  waiting_on: r.waiting_on,
  nonresponse_due_at: r.nonresponse_due_at,
  at_risk: r.at_risk,
  at_risk_at: r.at_risk_at,
  updated_at: at,
  revision,
});

/** Every case that is not closed, with what an agent needs to pick the next one. */
export const caseQueue: Projection = {
  name: 'case-queue',
  // v2: the tenant and line indexes carry the queue's sort order (filtered queues without a sort).
  // v3: the targets at risk (`SlaTargetAtRisk`) and the `at-risk` queue's index.
  version: 3,
  create: async (db) => {
    await db.schema
      .createTable('case_queue')
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
      .execute();
    // The agent queue: waiting on an agent, breached first, then by due instant.
    await db.schema
      .createIndex('case_queue_agent')
      .ifNotExists()
      .on('case_queue')
      .columns(['waiting_on', 'breached desc', 'response_due_at', 'case_id'])
      .execute();
    await db.schema
      .createIndex('case_queue_line')
      .ifNotExists()
      .on('case_queue')
      .columns(['line', 'severity', 'waiting_on', 'breached desc', 'response_due_at', 'case_id'])
      .execute();
    await db.schema
      .createIndex('case_queue_tenant')
      .ifNotExists()
      .on('case_queue')
      .columns(['tenant', 'waiting_on', 'breached desc', 'response_due_at', 'case_id'])
      .execute();
    await db.schema
      .createIndex('case_queue_customer')
      .ifNotExists()
      .on('case_queue')
      .columns(['waiting_on', 'nonresponse_due_at'])
      .execute();
    await db.schema
      .createIndex('case_queue_at_risk')
      .ifNotExists()
      .on('case_queue')
      .columns(['at_risk_at', 'case_id'])
      .execute();
    await db.schema
      .createIndex('case_queue_assignee')
      .ifNotExists()
      .on('case_queue')
      .columns(['assignee', 'state'])
      .execute();
    // CREATE VIEW IF NOT EXISTS is SQLite's, OR REPLACE PostgreSQL's: drop, then create.
    await db.schema.dropView('agent_workload').ifExists().execute();
    await db.schema
      .createView('agent_workload')
      .as(
        db
          .selectFrom('case_queue')
          .select(['assignee', 'state', sql<number>`count(*)`.as('cases')])
          .where('state', 'in', activeStates)
          .groupBy(['assignee', 'state']),
      )
      .execute();
  },
  drop: async (db) => {
    await db.schema.dropView('agent_workload').ifExists().execute();
    await db.schema.dropTable('case_queue').ifExists().execute();
  },
  fold: (ctx) => caseRowFold('case_queue', evolveCaseQueue, ctx),
};
