import type { Kysely } from 'kysely';
import type { CaseQueueTable } from './caseQueueTable.js';
import type { AgentWorkloadView, ReadModelDatabase } from './readModelDatabase.js';

/** The queue views over `case_queue`: what agents look at all day. */
export const queueNames = ['agent', 'awaiting-customer', 'breached', 'at-risk'] as const;
export type QueueName = (typeof queueNames)[number];

export interface QueueQuery {
  readonly tenant?: string | undefined;
  readonly line?: string | undefined;
  readonly severity?: string | undefined;
  readonly assignee?: string | undefined;
  /** @defaultValue 50 */
  readonly limit?: number | undefined;
  /** Rows to skip. @defaultValue 0 */
  readonly offset?: number | undefined;
}

/**
 * - `agent`: cases waiting on an agent, breached first, then by response due instant;
 * - `awaiting-customer`: cases waiting on the customer, by nonresponse due instant;
 * - `breached`: open cases whose initial-response clock recorded a breach, by due instant;
 * - `at-risk`: cases with a target at risk (its warning recorded, its clock still running),
 *   longest at risk first.
 */
export const queryQueue = async (
  db: Kysely<ReadModelDatabase>,
  name: QueueName,
  q: QueueQuery = {},
): Promise<CaseQueueTable[]> => {
  let query = db.selectFrom('case_queue').selectAll();
  if (q.tenant !== undefined) query = query.where('tenant', '=', q.tenant);
  if (q.line !== undefined) query = query.where('line', '=', q.line);
  if (q.severity !== undefined) query = query.where('severity', '=', q.severity);
  if (q.assignee !== undefined) query = query.where('assignee', '=', q.assignee);
  switch (name) {
    case 'agent':
      query = query
        .where('waiting_on', '=', 'agent')
        .orderBy('breached', 'desc')
        .orderBy('response_due_at')
        .orderBy('case_id');
      break;
    case 'awaiting-customer':
      query = query
        .where('waiting_on', '=', 'customer')
        .where('state', '!=', 'resolved')
        .orderBy('nonresponse_due_at')
        .orderBy('case_id');
      break;
    case 'breached':
      query = query
        .where('breached', '=', 1)
        .where('state', '!=', 'resolved')
        .orderBy('response_due_at')
        .orderBy('case_id');
      break;
    case 'at-risk':
      query = query.where('at_risk', 'is not', null).orderBy('at_risk_at').orderBy('case_id');
      break;
  }
  return query
    .limit(q.limit ?? 50)
    .offset(q.offset ?? 0)
    .execute();
};

/** Open cases per assignee and state (the `agent_workload` view). */
export const agentWorkload = (db: Kysely<ReadModelDatabase>): Promise<AgentWorkloadView[]> =>
  db
    .selectFrom('agent_workload')
    .selectAll()
    .orderBy('assignee', (ob) => ob.asc().nullsFirst())
    .orderBy('state')
    .execute();
