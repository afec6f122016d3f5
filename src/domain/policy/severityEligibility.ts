import { severityNotOffered } from '../docketError.js';
import type { Policy } from './policy.js';
import { err, ok, type Result } from '../result.js';
import { lowerSeverity, severityRank, type Severity } from './severity.js';
import { lookupLine, notOfferedMessage } from './severityRule.js';

export type SeverityCapReason = 'line-maximum' | 'no-advanced-agreement' | 'not-offered';

export interface SeverityRequest {
  readonly offering: string;
  readonly line: string;
  readonly requested: Severity;
  /** Whether the tenant signed an advanced online service agreement. */
  readonly advancedAgreement: boolean;
}

export interface SeverityAssignment {
  readonly severity: Severity;
  readonly requested: Severity;
  /** Why `severity` differs from `requested` (the first cap that applied); absent if equal. */
  readonly reason?: SeverityCapReason;
  readonly explanation?: string;
}

/**
 * The severity a new case gets: the requested one, capped by eligibility — at most the
 * line's `maxSeverity`; A only with an advanced agreement when the matrix requires one
 * (else B); then down to the next severity the line's matrix offers. Never raises a
 * severity: if nothing at or below is offered, that is `severity-not-offered`.
 */
export const assignSeverity = (
  policy: Policy,
  request: SeverityRequest,
): Result<SeverityAssignment> => {
  const found = lookupLine(policy, request.offering, request.line);
  if (!found.ok) return found;
  const { line, lineId } = found.value;

  let severity: Severity = request.requested;
  const caps: { reason: SeverityCapReason; explanation: string }[] = [];

  if (severityRank(severity) < severityRank(line.maxSeverity)) {
    caps.push({
      reason: 'line-maximum',
      explanation: `${lineId} cases are at most severity ${line.maxSeverity}`,
    });
    severity = line.maxSeverity;
  }
  if (
    severity === 'A' &&
    line.severities.A?.requiresAdvancedAgreement &&
    !request.advancedAgreement
  ) {
    caps.push({
      reason: 'no-advanced-agreement',
      explanation: 'severity A needs an advanced online service agreement',
    });
    severity = 'B';
  }
  while (line.severities[severity] === undefined) {
    const explanation = notOfferedMessage(found.value, severity);
    const next = lowerSeverity(severity);
    if (next === undefined) return err(severityNotOffered(explanation));
    caps.push({ reason: 'not-offered', explanation });
    severity = next;
  }

  const first = caps[0];
  return first === undefined
    ? ok({ severity, requested: request.requested })
    : ok({
        severity,
        requested: request.requested,
        reason: first.reason,
        explanation: caps.map((c) => c.explanation).join('; '),
      });
};
