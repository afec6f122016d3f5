import { caseDeadline } from '../policy/calendarHorizon.js';
import type { CaseEventOf } from './stream/caseEvents.js';
import type { CaseCommand } from './caseCommands.js';
import { notFound, validationError, type FieldIssue } from '../docketError.js';
import { assessImpact } from '../policy/assessImpact.js';
import { formatInstant } from '../instant.js';
import type { Policy } from '../policy/policy.js';
import { err, ok, type Result } from '../result.js';
import { assignSeverity } from '../policy/severityEligibility.js';
import { lookupSeverityRule } from '../policy/severityRule.js';
import { responseAtRiskOf } from './caseDeadlines.js';
import type { Tenant } from '../policy/tenant.js';

/**
 * Opening a case: checks the line and category against the policy's taxonomy, assigns the
 * severity (requested, capped by eligibility), checks the information that severity requires,
 * and computes the initial-response due instant from the open instant (flagged if it lies past
 * the holiday data of its calendar).
 */
export const decideOpen = (
  { caseId, actor, input }: Extract<CaseCommand, { type: 'open' }>,
  tenant: Tenant | undefined,
  policy: Policy,
  now: number,
): Result<[CaseEventOf<'CaseOpened'>]> => {
  if (tenant === undefined || actor.role !== 'customer-admin' || actor.tenant !== tenant.id) {
    return err(
      notFound(`tenant ${actor.role === 'customer-admin' ? actor.tenant : '?'} is not known`),
    );
  }
  const offering = policy.offerings[tenant.offering];
  if (offering === undefined) {
    return err(
      validationError(
        `tenant ${tenant.id} has offering ${tenant.offering}, which the policy does not define`,
      ),
    );
  }
  const line = offering.lines[input.line];
  if (line === undefined) {
    return err(
      validationError(`unknown support line ${input.line}`, [
        { path: 'line', message: `one of ${Object.keys(offering.lines).join(', ')}` },
      ]),
    );
  }
  if (!line.categories.includes(input.category)) {
    return err(
      validationError(`unknown category ${input.category} on the ${input.line} line`, [
        { path: 'category', message: `one of ${line.categories.join(', ')}` },
      ]),
    );
  }
  const assigned = assignSeverity(policy, {
    offering: tenant.offering,
    line: input.line,
    requested: input.severity,
    advancedAgreement: tenant.advancedAgreement,
  });
  if (!assigned.ok) return assigned;
  const severity = assigned.value.severity;

  const missing: FieldIssue[] = [];
  if (severity === 'A') {
    if (input.businessImpact === undefined) {
      missing.push({
        path: 'businessImpact',
        message: 'severity A needs a business-impact statement',
      });
    }
    if (input.contact.phone === undefined) {
      missing.push({
        path: 'contact.phone',
        message: 'severity A needs a phone contact reachable 24×7',
      });
    }
  }
  if (missing.length > 0) {
    return err(validationError('severity A needs more information from the customer', missing));
  }

  const rule = lookupSeverityRule(policy, {
    offering: tenant.offering,
    line: input.line,
    severity,
    region: tenant.region,
  });
  if (!rule.ok) return rule;
  const { dueAt, warnings } = caseDeadline(policy, rule.value.calendarId, 'response-deadline', {
    fromMs: now,
    duration: rule.value.responseTarget,
  });
  const responseAtRisk = responseAtRiskOf(policy, rule.value, now);

  return ok([
    {
      type: 'CaseOpened',
      data: {
        caseId,
        tenant: {
          id: tenant.id,
          offering: tenant.offering,
          advancedAgreement: tenant.advancedAgreement,
          ...(tenant.region !== undefined ? { region: tenant.region } : {}),
        },
        line: input.line,
        category: input.category,
        title: input.title,
        description: input.description,
        contact: input.contact,
        ...(input.businessImpact !== undefined ? { businessImpact: input.businessImpact } : {}),
        ...(input.impact !== undefined
          ? { impact: input.impact, proposedSeverity: assessImpact(input.impact) }
          : {}),
        requestedSeverity: input.severity,
        severity,
        ...(assigned.value.reason !== undefined ? { severityReason: assigned.value.reason } : {}),
        ...(assigned.value.explanation !== undefined
          ? { severityExplanation: assigned.value.explanation }
          : {}),
        policyVersion: policy.version,
        responseTarget: rule.value.responseTarget,
        responseCalendar: rule.value.calendarId,
        responseDueAt: formatInstant(dueAt),
        ...(responseAtRisk !== undefined ? { responseAtRisk } : {}),
        ...(warnings !== undefined ? { warnings } : {}),
      },
    },
  ]);
};
