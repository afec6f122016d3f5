import { sql, type Kysely } from 'kysely';
import { NO_DEADLINE, type CaseListTable } from './caseListTable.js';
import type { ReadModelDatabase } from './readModelDatabase.js';

/** `due`: soonest running deadline first (none last); `updated`: most recently changed first. */
export const caseListSorts = ['due', 'updated'] as const;
export type CaseListSort = (typeof caseListSorts)[number];

/** Where a page ended: the sort key and the case id of its last row. */
export interface CaseListCursor {
  readonly key: string;
  readonly caseId: string;
}

export interface CaseListQuery {
  readonly states?: readonly string[] | undefined;
  readonly severity?: string | undefined;
  readonly line?: string | undefined;
  readonly offering?: string | undefined;
  readonly tenant?: string | undefined;
  readonly assignee?: string | undefined;
  /** true: no assignee; false: any assignee. */
  readonly unassigned?: boolean | undefined;
  readonly breached?: boolean | undefined;
  /**
   * Cases with a target at risk: its at-risk warning (`SlaTargetAtRisk`) recorded, its clock
   * still running (not met, stopped or breached since).
   */
  readonly atRisk?: boolean | undefined;
  readonly awaitingCustomer?: boolean | undefined;
  /** Inclusive bounds on the opening instant (ISO 8601 UTC). */
  readonly openedFrom?: string | undefined;
  readonly openedTo?: string | undefined;
  /** Text the title contains, case-insensitively. */
  readonly text?: string | undefined;
  /** @defaultValue 'due' */
  readonly sort?: CaseListSort | undefined;
  readonly after?: CaseListCursor | undefined;
  /** @defaultValue 50 */
  readonly limit?: number | undefined;
}

const waitingStates = ['awaitingCustomer', 'downgraded'];
/** LIKE's wildcards, taken literally. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

/**
 * A page of `case_list`, filtered, in the order asked, after the cursor (keyset pagination:
 * a page stays right while rows are added or move). One row more than `limit` is read, so the
 * caller knows whether another page follows.
 */
export const queryCaseList = async (
  db: Kysely<ReadModelDatabase>,
  q: CaseListQuery,
): Promise<{ rows: CaseListTable[]; next: CaseListCursor | undefined }> => {
  const limit = q.limit ?? 50;
  const sort = q.sort ?? 'due';
  let query = db.selectFrom('case_list').selectAll();
  if (q.tenant !== undefined) query = query.where('tenant', '=', q.tenant);
  if (q.states !== undefined && q.states.length > 0) query = query.where('state', 'in', q.states);
  if (q.severity !== undefined) query = query.where('severity', '=', q.severity);
  if (q.line !== undefined) query = query.where('line', '=', q.line);
  if (q.offering !== undefined) query = query.where('offering', '=', q.offering);
  if (q.assignee !== undefined) query = query.where('assignee', '=', q.assignee);
  if (q.unassigned !== undefined)
    query = query.where('assignee', q.unassigned ? 'is' : 'is not', null);
  if (q.breached !== undefined) query = query.where('breached', '=', q.breached ? 1 : 0);
  if (q.awaitingCustomer !== undefined)
    query = query.where('state', q.awaitingCustomer ? 'in' : 'not in', waitingStates);
  if (q.atRisk !== undefined) query = query.where('at_risk', q.atRisk ? 'is not' : 'is', null);
  if (q.openedFrom !== undefined) query = query.where('opened_at', '>=', q.openedFrom);
  if (q.openedTo !== undefined) query = query.where('opened_at', '<=', q.openedTo);
  if (q.text !== undefined) {
    // Both dialects take `\` as the escape character when told so (SQLite has no default).
    const pattern = likePattern(q.text);
    query = query.where(sql<boolean>`lower(title) like ${pattern} escape '\\'`);
  }
  const column = sort === 'due' ? 'due_at' : 'updated_at';
  const after = q.after;
  if (after !== undefined) {
    const beyond = sort === 'due' ? '>' : '<';
    query = query.where((eb) =>
      eb.or([
        eb(column, beyond, after.key),
        eb.and([eb(column, '=', after.key), eb('case_id', beyond, after.caseId)]),
      ]),
    );
  }
  const direction = sort === 'due' ? 'asc' : 'desc';
  const rows = await query
    .orderBy(column, direction)
    .orderBy('case_id', direction)
    .limit(limit + 1)
    .execute();
  if (rows.length <= limit) return { rows, next: undefined };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1]!;
  return {
    rows: page,
    next: { key: sort === 'due' ? last.due_at : last.updated_at, caseId: last.case_id },
  };
};

/** Whether a row's `due_at` names a real deadline. */
export const hasDeadline = (row: Pick<CaseListTable, 'due_at'>): boolean =>
  row.due_at !== NO_DEADLINE;
