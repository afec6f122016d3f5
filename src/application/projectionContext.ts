import type { ProjectionContext } from '../../projections/projection.js';
import { policyCalendar } from '../domain/policy/policyCalendars.js';
import { severitySchema } from '../domain/policy/severity.js';
import { lookupSeverityRule } from '../domain/policy/severityRule.js';
import type { PolicyRegistry } from './policyRegistry.js';

/** What projections may look up: zones and response calendars, from the policy in force. */
export const projectionContext = (policies: PolicyRegistry): ProjectionContext => ({
  zoneOf: (offering) =>
    Object.hasOwn(policies.current.offerings, offering)
      ? (policies.current.offerings[offering]?.zone ?? 'UTC')
      : 'UTC',
  responseCalendar: ({ offering, line, severity, region }) => {
    const parsed = severitySchema.safeParse(severity);
    if (!parsed.success) return undefined;
    const policy = policies.current;
    const rule = lookupSeverityRule(policy, { offering, line, severity: parsed.data, region });
    return rule.ok ? policyCalendar(policy, rule.value.calendarId) : undefined;
  },
});
