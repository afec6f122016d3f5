/**
 * `case_queue`: one row per case that is not closed (docs/reporting.md). Instants are ISO 8601
 * UTC text with milliseconds (they sort as text); flags are 0/1 integers, in both dialects.
 */
export interface CaseQueueTable {
  case_id: string;
  tenant: string;
  offering: string;
  line: string;
  category: string;
  title: string;
  severity: string;
  state: string;
  assignee: string | null;
  opened_at: string;
  response_due_at: string;
  breached: number;
  /** `agent` or `customer`: whose move it is. */
  waiting_on: string;
  nonresponse_due_at: string | null;
  /**
   * The targets whose at-risk warning (`SlaTargetAtRisk`) was recorded on a clock that still
   * runs, comma-separated in the order recorded (`response`, `resolution`, …); null: none.
   */
  at_risk: string | null;
  /** When the earliest of those warnings was recorded; null with `at_risk`. */
  at_risk_at: string | null;
  updated_at: string;
  revision: number;
}
