import { addBusinessTime, businessTimeBetween } from '../src/domain/policy/businessCalendar.js';
import type { ProjectionContext } from './projection.js';

/**
 * The share of a response target's business time after which a case is at risk
 * *(assumption: 75 %, the figure DESIGN §9 gives as an example; not yet policy data)*.
 */
export const AT_RISK_SHARE = 0.75;

interface ResponseClock {
  readonly offering: string;
  readonly line: string;
  readonly severity: string;
  readonly region: string | undefined;
  readonly openedAt: string;
  readonly dueAt: string;
}

/**
 * When {@link AT_RISK_SHARE} of the response target's business time is used, on the calendar
 * the policy gives the case's severity; on wall-clock time if the policy does not know it.
 */
export const responseAtRiskAt = (clock: ResponseClock, ctx: ProjectionContext): string => {
  const opened = Date.parse(clock.openedAt);
  const due = Date.parse(clock.dueAt);
  const calendar = ctx.responseCalendar?.(clock);
  if (calendar === undefined) {
    return new Date(opened + Math.round((due - opened) * AT_RISK_SHARE)).toISOString();
  }
  const budget = businessTimeBetween(calendar, opened, due);
  return new Date(
    addBusinessTime(calendar, opened, Math.round(budget * AT_RISK_SHARE)),
  ).toISOString();
};
