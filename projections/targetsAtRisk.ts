import type { SlaTarget } from '../src/domain/policy/slaTarget.js';
import type { CaseQueueTable } from './caseQueueTable.js';

/*
 * The `at_risk` and `at_risk_at` columns of a queue row: which targets' clocks recorded their
 * at-risk warning and still run. A warning ends with its clock (met, stopped or breached).
 */

type AtRiskColumns = Pick<CaseQueueTable, 'at_risk' | 'at_risk_at'>;

const targetsOf = (row: AtRiskColumns): string[] =>
  row.at_risk === null ? [] : row.at_risk.split(',');

/** `target` recorded its at-risk warning at `at`. */
export const markAtRisk = (row: AtRiskColumns, target: SlaTarget, at: string): void => {
  const targets = targetsOf(row);
  if (!targets.includes(target)) targets.push(target);
  row.at_risk = targets.join(',');
  row.at_risk_at ??= at;
};

/** The clock of `target` (every target when omitted) no longer runs: its warning ends. */
export const clearAtRisk = (row: AtRiskColumns, target?: SlaTarget): void => {
  if (row.at_risk === null) return;
  const left = target === undefined ? [] : targetsOf(row).filter((t) => t !== target);
  row.at_risk = left.length === 0 ? null : left.join(',');
  if (left.length === 0) row.at_risk_at = null;
};
