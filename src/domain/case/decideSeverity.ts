import { severityNotOffered, validationError } from '../docketError.js';
import { formatInstant } from '../instant.js';
import { caseDeadline } from '../policy/calendarHorizon.js';
import { autoCloseDueAt, type Policy } from '../policy/policy.js';
import { lowerSeverity } from '../policy/severity.js';
import { err, ok, type Result } from '../result.js';
import type { CommandInput } from './caseCommands.js';
import { nonresponseDue, responseAtRiskOf, ruleFor } from './caseDeadlines.js';
import type { CaseSnapshot } from './rebuildCase.js';
import type { CaseEvent } from './stream/caseEvents.js';

const waiting = (state: CaseSnapshot['state']) =>
  state === 'awaitingCustomer' || state === 'downgraded';

/**
 * An agent's re-assessment of severity: the due instant the case is running against is
 * computed again at the new severity (the response deadline while `opened`, the nonresponse
 * deadline while waiting on the customer).
 */
export const changeSeverity = (
  { state, context }: CaseSnapshot,
  { severity, reason }: CommandInput<'changeSeverity'>,
  policy: Policy,
  now: number,
): Result<CaseEvent[]> => {
  if (severity === context.severity) {
    return err(
      validationError(`case ${context.caseId} is already severity ${severity}`, [
        { path: 'severity', message: 'the same as the current severity' },
      ]),
    );
  }
  const rule = ruleFor(context, severity, policy);
  if (!rule.ok) return rule;
  if (rule.value.requiresAdvancedAgreement && !context.tenant.advancedAgreement) {
    return err(
      severityNotOffered(
        `severity ${severity} needs an advanced online service agreement, which tenant ${context.tenant.id} does not have`,
      ),
    );
  }
  const changed = { from: context.severity, to: severity, reason };
  if (state === 'opened') {
    const { dueAt, warnings } = caseDeadline(policy, rule.value.calendarId, 'response-deadline', {
      fromMs: context.openedAt,
      duration: rule.value.responseTarget,
    });
    const responseAtRisk = responseAtRiskOf(policy, rule.value, context.openedAt);
    const events: CaseEvent[] = [
      {
        type: 'SeverityChanged',
        data: {
          ...changed,
          responseDueAt: formatInstant(dueAt),
          ...(responseAtRisk && { responseAtRisk }),
          ...(warnings && { warnings }),
        },
      },
    ];
    // A recorded breach is a fact; raising severity past the new due instant records it at once.
    if (!context.breached && now >= dueAt) {
      events.push({ type: 'ResponseDeadlineBreached', data: { dueAt: formatInstant(dueAt) } });
    }
    return ok(events);
  }
  if (context.awaitingSince !== undefined && waiting(state)) {
    // From the start of the current waiting period (the latest request or downgrade): silence
    // that already caused a downgrade is not counted again. A deadline already past fires at once.
    const due = nonresponseDue(context, severity, policy, context.awaitingSince);
    if (!due.ok) return due;
    const { dueAt, warnings } = due.value;
    return ok([
      {
        type: 'SeverityChanged',
        data: { ...changed, nonresponseDueAt: formatInstant(dueAt), ...(warnings && { warnings }) },
      },
    ]);
  }
  return ok([{ type: 'SeverityChanged', data: changed }]);
};

/**
 * The customer-nonresponse check: once a waiting case's deadline has passed, the case goes one
 * severity down (with a new waiting period at the lower severity), or, at the lowest severity
 * the line offers, is resolved for nonresponse. Nothing while the deadline has not passed.
 */
export const checkNonresponse = (
  { state, context }: CaseSnapshot,
  policy: Policy,
  now: number,
): Result<CaseEvent[]> => {
  if (!waiting(state)) return ok([]);
  if (context.nonresponseDueAt === undefined || now < context.nonresponseDueAt) return ok([]);
  const lower = lowerSeverity(context.severity);
  if (lower !== undefined && ruleFor(context, lower, policy).ok) {
    const due = nonresponseDue(context, lower, policy, now);
    if (!due.ok) return due;
    const { dueAt, warnings } = due.value;
    return ok([
      {
        type: 'SeverityDowngraded',
        data: {
          from: context.severity,
          to: lower,
          reason: 'customer-nonresponse',
          nonresponseDueAt: formatInstant(dueAt),
          ...(warnings && { warnings }),
        },
      },
    ]);
  }
  return ok([
    {
      type: 'CaseResolved',
      data: {
        reason: 'customer-nonresponse',
        summary: `Resolved automatically: no customer response by ${formatInstant(context.nonresponseDueAt)}.`,
        autoCloseAt: formatInstant(autoCloseDueAt(policy, now)),
      },
    },
  ]);
};
