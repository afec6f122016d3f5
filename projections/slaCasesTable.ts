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
  /** At-risk warnings recorded (`SlaTargetAtRisk`), every target. */
  at_risk_warnings: number;
  /** The resolution clock's latest stop: 1 within target, 0 not; null: not stopped (or no such target). */
  resolution_within_target: number | null;
  resolution_breaches: number;
  /** Next-reply clocks stopped within target, and breaches recorded. */
  next_reply_met: number;
  next_reply_breaches: number;
  /** Periodic-update clocks stopped within target, and breaches recorded. */
  periodic_update_met: number;
  periodic_update_breaches: number;
}
