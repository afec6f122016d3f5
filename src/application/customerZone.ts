import type { Policy } from '../domain/policy/policy.js';
import { lineCalendarId } from '../domain/policy/severityRule.js';

/**
 * The zone a case's customer reads times in: for a tenant with a region, that of its line's
 * regional opening hours (kept in the region's local time); otherwise, or when those hours are
 * kept in UTC (round-the-clock lines), the offering's zone; UTC for an unknown offering. Not
 * the response calendar's: a 24×7 calendar is kept in UTC. Pure.
 */
export const customerZone = (
  policy: Policy,
  opened: { readonly tenant: { offering: string; region?: string }; readonly line: string },
): string => {
  const { offering, region } = opened.tenant;
  if (region !== undefined) {
    const calendar = lineCalendarId(policy, offering, opened.line, region);
    const zone = calendar.ok ? policy.calendars[calendar.value]?.zone : undefined;
    if (zone !== undefined && zone !== 'UTC') return zone;
  }
  return policy.offerings[offering]?.zone ?? 'UTC';
};
