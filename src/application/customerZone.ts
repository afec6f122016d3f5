import type { CalendarRef, Policy } from '../domain/policy/policy.js';

/** The calendar a regional reference picks for `region` (a plain id is not regional). */
const regionalChoice = (ref: CalendarRef | undefined, region: string): string | undefined =>
  ref === undefined || typeof ref === 'string' || !Object.hasOwn(ref.byRegion, region)
    ? undefined
    : ref.byRegion[region];

/**
 * The zone a case's customer reads times in. For a tenant with a region: the zone of the
 * calendars the policy picks for that region (regional hours are kept in the region's local
 * time), the case's line first, then the offering's other lines. Otherwise, or if every such
 * calendar is kept in UTC, the offering's zone; UTC for an unknown offering. Never a 24×7
 * calendar's UTC by itself. Pure.
 */
export const customerZone = (
  policy: Policy,
  opened: { readonly tenant: { offering: string; region?: string }; readonly line: string },
): string => {
  const { offering: offeringId, region } = opened.tenant;
  const offering = Object.hasOwn(policy.offerings, offeringId)
    ? policy.offerings[offeringId]
    : undefined;
  if (offering === undefined) return 'UTC';
  if (region !== undefined) {
    const lines = Object.entries(offering.lines).sort(([a], [b]) =>
      a === opened.line ? -1 : b === opened.line ? 1 : 0,
    );
    for (const [, line] of lines)
      for (const ref of [
        line.calendar,
        ...Object.values(line.severities).map((t) => t?.calendar),
      ]) {
        const id = regionalChoice(ref, region);
        const zone = id === undefined ? undefined : policy.calendars[id]?.zone;
        if (zone !== undefined && zone !== 'UTC') return zone;
      }
  }
  return offering.zone;
};
