import { isOpenAt, nextOpening } from '../domain/policy/businessCalendar.js';
import { notFound } from '../domain/docketError.js';
import { formatInstant } from '../domain/instant.js';
import type { Policy, PolicyPhone } from '../domain/policy/policy.js';
import { policyCalendar } from '../domain/policy/policyCalendars.js';
import { err, ok, type Result } from '../domain/result.js';
import { lineCalendarId, offeredSeverities } from '../domain/policy/severityRule.js';

export interface LineAvailability {
  readonly id: string;
  readonly name: string;
  readonly languages: string[];
  readonly phones: PolicyPhone[];
  readonly severities: string[];
  /** Whether the line is staffed at the instant asked about. */
  readonly open: boolean;
  /** When it next opens (the instant itself if open). */
  readonly opensAt: string;
}

/**
 * The seed's support directory for one offering at an instant: each line, whether it is open
 * then, its languages and the phone numbers (of the region, when one is given). Pure.
 */
export const linesAt = (
  policy: Policy,
  offeringId: string,
  at: number,
  region?: string,
): Result<LineAvailability[]> => {
  const offering = Object.hasOwn(policy.offerings, offeringId)
    ? policy.offerings[offeringId]
    : undefined;
  if (offering === undefined) return err(notFound(`offering ${offeringId} not found`));
  const lines: LineAvailability[] = [];
  for (const [id, line] of Object.entries(offering.lines)) {
    const calendarId = lineCalendarId(policy, offeringId, id, region);
    if (!calendarId.ok) return calendarId;
    const calendar = policyCalendar(policy, calendarId.value);
    lines.push({
      id,
      name: line.name,
      languages: line.languages,
      phones: line.phones.filter(
        (p) => region === undefined || p.region === undefined || p.region === region,
      ),
      severities: offeredSeverities(line),
      open: isOpenAt(calendar, at),
      opensAt: formatInstant(nextOpening(calendar, at)),
    });
  }
  return ok(lines);
};
