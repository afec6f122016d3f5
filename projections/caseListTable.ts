import type { CaseQueueTable } from './caseQueueTable.js';

/**
 * `case_list`: one row per case ever opened, closed ones included (docs/reporting.md): what
 * `GET /cases` lists and searches. The queue's columns, and what a list needs besides them.
 * Instants are ISO 8601 UTC text (they sort as text).
 */
export interface CaseListTable extends CaseQueueTable {
  /** The tenant's region, if its offering has regions (it picks the calendar of a severity). */
  region: string | null;
  /**
   * The running deadline's due instant: the response while `opened`, the customer's silence
   * while waiting on them, auto-close while `resolved`; {@link NO_DEADLINE} when none runs, so
   * that a list sorted by due instant puts those last without NULL ordering rules.
   */
  due_at: string;
  auto_close_at: string | null;
  closed_at: string | null;
}

/** The `due_at` of a case with no running deadline: after every real instant. */
export const NO_DEADLINE = '9999-12-31T23:59:59.999Z';
