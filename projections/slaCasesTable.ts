/**
 * `sla_cases`: one row per case ever opened, the facts the SLA report aggregates (docs/reporting.md).
 * `day` is the opening date in the offering's time zone; durations are milliseconds.
 */
export interface SlaCasesTable {
  case_id: string;
  tenant: string;
  offering: string;
  line: string;
  /** The severity assigned when the case was opened. */
  severity: string;
  day: string;
  opened_at: string;
  first_response_at: string | null;
  response_ms: number | null;
  response_business_ms: number | null;
  within_target: number | null;
  breached: number;
  downgrades: number;
  reopens: number;
  resolved_at: string | null;
  survey_rating: number | null;
}
