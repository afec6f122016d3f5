import type { BusinessDuration } from './businessDuration.js';
import { severityNotOffered, validationError } from '../docketError.js';
import type { CalendarRef, Policy, PolicyLine, PolicyOffering, SeverityTerms } from './policy.js';
import { err, ok, type Result } from '../result.js';
import { severities, severityRank, type Severity } from './severity.js';
import {
  furtherTargetKeys,
  furtherTargets,
  type FurtherTarget,
  type FurtherTargetTerms,
} from './slaTarget.js';

/** What the policy says about one severity on one line: target, calendar, nonresponse period. */
export interface SeverityRule {
  readonly offering: string;
  readonly line: string;
  readonly severity: Severity;
  readonly responseTarget: BusinessDuration;
  readonly calendarId: string;
  readonly nonresponse: BusinessDuration;
  /** The response target's at-risk threshold (share of business time used), if the policy sets one. */
  readonly responseAtRisk?: number | undefined;
  /** The further targets the policy sets for this severity (absent: none). */
  readonly targets?: Readonly<Partial<Record<FurtherTarget, FurtherTargetTerms>>> | undefined;
  readonly requiresAdvancedAgreement: boolean;
}

const targetsOf = (terms: SeverityTerms): SeverityRule['targets'] => {
  const set = furtherTargets.filter((t) => terms[furtherTargetKeys[t]] !== undefined);
  return set.length === 0
    ? undefined
    : Object.fromEntries(set.map((t) => [t, terms[furtherTargetKeys[t]]!]));
};

export interface SeverityRuleQuery {
  readonly offering: string;
  readonly line: string;
  readonly severity: Severity;
  readonly region?: string | undefined;
}

export interface PolicyLineLookup {
  readonly offeringId: string;
  readonly lineId: string;
  readonly offering: PolicyOffering;
  readonly line: PolicyLine;
}

const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** The offering and line a case runs on; unknown ids are validation errors naming the known ones. */
export const lookupLine = (
  policy: Policy,
  offeringId: string,
  lineId: string,
): Result<PolicyLineLookup> => {
  const offering = own(policy.offerings, offeringId);
  if (!offering) {
    const known = Object.keys(policy.offerings).join(', ');
    const message = `unknown offering "${offeringId}" (known: ${known})`;
    return err(validationError(message, [{ path: 'offering', message }]));
  }
  const line = own(offering.lines, lineId);
  if (!line) {
    const known = Object.keys(offering.lines).join(', ');
    const message = `unknown line "${lineId}" for offering ${offeringId} (known: ${known})`;
    return err(validationError(message, [{ path: 'line', message }]));
  }
  return ok({ offeringId, lineId, offering, line });
};

/** The severities a line's matrix offers, highest first. */
export const offeredSeverities = (line: PolicyLine): Severity[] =>
  severities.filter((s) => line.severities[s] !== undefined);

/**
 * The calendar id a reference designates for a tenant's region: a plain id as is, a regional
 * reference by `byRegion[region] ?? default`. A regional reference needs a region unless it has
 * a default.
 */
export const resolveCalendarRef = (
  policy: Policy,
  offeringId: string,
  ref: CalendarRef,
  region?: string,
): Result<string> => {
  if (typeof ref === 'string') return ok(ref);
  const regions = (own(policy.offerings, offeringId)?.regions ?? Object.keys(ref.byRegion)).join(
    ', ',
  );
  const chosen = region === undefined ? undefined : own(ref.byRegion, region);
  const calendarId = chosen ?? ref.default;
  if (calendarId !== undefined) return ok(calendarId);
  const message =
    region === undefined
      ? `offering ${offeringId} needs a region (${regions})`
      : `offering ${offeringId} has no calendar for region "${region}" (regions: ${regions})`;
  return err(validationError(message, [{ path: 'region', message }]));
};

/** The line's opening-hours calendar (support directory). */
export const lineCalendarId = (
  policy: Policy,
  offeringId: string,
  lineId: string,
  region?: string,
): Result<string> => {
  const found = lookupLine(policy, offeringId, lineId);
  if (!found.ok) return found;
  return resolveCalendarRef(policy, offeringId, found.value.line.calendar, region);
};

/** Why a severity is absent from a line's matrix, e.g. "… (highest is B)". */
export const notOfferedMessage = (found: PolicyLineLookup, severity: Severity): string => {
  const { line, lineId, offeringId } = found;
  const why =
    severityRank(severity) < severityRank(line.maxSeverity)
      ? `highest is ${line.maxSeverity}`
      : `offered: ${offeredSeverities(line).join(', ') || 'none'}`;
  return `severity ${severity} is not offered on the ${lineId} line of ${offeringId} (${why})`;
};

/** The severity matrix cell for an offering, line and severity, with its calendar resolved. */
export const lookupSeverityRule = (
  policy: Policy,
  query: SeverityRuleQuery,
): Result<SeverityRule> => {
  const found = lookupLine(policy, query.offering, query.line);
  if (!found.ok) return found;
  const terms: SeverityTerms | undefined = found.value.line.severities[query.severity];
  if (!terms || severityRank(query.severity) < severityRank(found.value.line.maxSeverity)) {
    return err(severityNotOffered(notOfferedMessage(found.value, query.severity)));
  }
  const calendar = resolveCalendarRef(policy, query.offering, terms.calendar, query.region);
  if (!calendar.ok) return calendar;
  return ok({
    offering: query.offering,
    line: query.line,
    severity: query.severity,
    responseTarget: terms.responseTarget,
    calendarId: calendar.value,
    nonresponse: terms.nonresponse,
    ...(terms.responseAtRisk !== undefined && { responseAtRisk: terms.responseAtRisk }),
    ...(targetsOf(terms) !== undefined && { targets: targetsOf(terms) }),
    requiresAdvancedAgreement: terms.requiresAdvancedAgreement,
  });
};
