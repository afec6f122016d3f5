import { addBusinessTime, businessTimeBetween } from '../policy/businessCalendar.js';
import { durationToMillis, type BusinessDuration } from '../policy/businessDuration.js';
import { formatInstant } from '../instant.js';
import { caseDeadline, type CaseDeadline } from '../policy/calendarHorizon.js';
import type { Policy } from '../policy/policy.js';
import { policyCalendar } from '../policy/policyCalendars.js';
import type { Severity } from '../policy/severity.js';
import { lookupSeverityRule, type SeverityRule } from '../policy/severityRule.js';
import { ok, type Result } from '../result.js';
import type { CaseContext } from './stream/caseContext.js';

/** The policy's rule for `severity` on the case's offering, line and region. */
export const ruleFor = (
  context: CaseContext,
  severity: Severity,
  policy: Policy,
): Result<SeverityRule> =>
  lookupSeverityRule(policy, {
    offering: context.tenant.offering,
    line: context.line,
    severity,
    region: context.tenant.region,
  });

/** When the customer's silence ends a waiting period that began at `from`, at `severity`. */
export const nonresponseDue = (
  context: CaseContext,
  severity: Severity,
  policy: Policy,
  from: number,
): Result<CaseDeadline> => {
  const rule = ruleFor(context, severity, policy);
  if (!rule.ok) return rule;
  return ok(
    caseDeadline(policy, rule.value.calendarId, 'customer-nonresponse', {
      fromMs: from,
      duration: rule.value.nonresponse,
    }),
  );
};

/** How the first customer-visible response at `now` measures against the response target. */
export const measureFirstResponse = (context: CaseContext, policy: Policy, now: number) => ({
  withinTarget: !context.breached && now <= context.responseDueAt,
  elapsedMs: Math.max(0, now - context.openedAt),
  businessElapsedMs: businessTimeBetween(
    policyCalendar(policy, context.responseCalendar),
    context.openedAt,
    now,
  ),
});

/**
 * When `share` of a target of `duration` business time, counted from `fromMs` on the
 * calendar, is used: the instant its at-risk warning is due.
 */
export const atRiskInstant = (
  policy: Policy,
  calendarId: string,
  fromMs: number,
  duration: BusinessDuration,
  share: number,
): number => {
  const calendar = policyCalendar(policy, calendarId);
  const budget = durationToMillis(duration, calendar.nominalDayMs);
  return addBusinessTime(calendar, fromMs, Math.round(budget * share));
};

/** The `responseAtRisk` a response clock started at `fromMs` records under `rule` (if any). */
export const responseAtRiskOf = (
  policy: Policy,
  rule: SeverityRule,
  fromMs: number,
): { share: number; at: string } | undefined =>
  rule.responseAtRisk === undefined
    ? undefined
    : {
        share: rule.responseAtRisk,
        at: formatInstant(
          atRiskInstant(policy, rule.calendarId, fromMs, rule.responseTarget, rule.responseAtRisk),
        ),
      };
