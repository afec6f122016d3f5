import { businessTimeBetween } from '../domain/policy/businessCalendar.js';
import { nextWindows } from '../domain/policy/calendarWindows.js';
import { isWarningTimer, pendingTimers, type TimerKind } from '../domain/case/caseTimers.js';
import type { CaseSnapshot } from '../domain/case/rebuildCase.js';
import { formatInstant } from '../domain/instant.js';
import type { Policy } from '../domain/policy/policy.js';
import { policyCalendar } from '../domain/policy/policyCalendars.js';
import { lookupSeverityRule } from '../domain/policy/severityRule.js';
import { furtherTargets } from '../domain/policy/slaTarget.js';

/** Windows listed per deadline: enough for a countdown to run for days without asking again. */
const WINDOWS_SHOWN = 7;

/** A deadline running at an instant, and how much of it was left. */
export interface RunningDeadline {
  readonly kind: TimerKind;
  readonly dueAt: string;
  /** Wall-clock milliseconds until due (negative: overdue). */
  readonly leftMs: number;
  /** Business milliseconds until due on the deadline's calendar (0 once due). */
  readonly businessLeftMs: number;
  /** The calendar the deadline runs on; `calendar-days` for auto-close. */
  readonly calendar: string;
  /**
   * The calendar's next open windows from the instant until the due instant (at most seven):
   * business time passes only inside them, so a countdown stops between them.
   */
  readonly windows: { readonly start: string; readonly end: string }[];
}

/** The calendar a running deadline counts on (`calendar-days`: every millisecond counts). */
const calendarOf = (
  snapshot: CaseSnapshot,
  kind: TimerKind,
  policy: Policy | undefined,
): string => {
  const { context } = snapshot;
  if (kind === 'response-deadline') return context.responseCalendar;
  const clock = furtherTargets.find((t) => kind === `${t}-deadline`);
  if (clock !== undefined) return context.clocks[clock]?.calendar ?? 'unknown';
  if (kind === 'auto-close' || policy === undefined) return 'calendar-days';
  const rule = lookupSeverityRule(policy, {
    offering: context.tenant.offering,
    line: context.line,
    severity: context.severity,
    region: context.tenant.region,
  });
  return rule.ok ? rule.value.calendarId : 'unknown';
};

/**
 * The deadlines running on a case at `at` (epoch ms), with the business time left on each. An
 * at-risk check is a warning, not a deadline: it is not listed.
 */
export const runningDeadlines = (
  snapshot: CaseSnapshot,
  at: number,
  policy: Policy | undefined,
): RunningDeadline[] =>
  pendingTimers(snapshot)
    .filter((timer) => !isWarningTimer(timer.kind))
    .map((timer): RunningDeadline => {
      const calendar = calendarOf(snapshot, timer.kind, policy);
      const leftMs = timer.dueAt - at;
      const known = policy !== undefined && Object.hasOwn(policy.calendars, calendar);
      const windows = known
        ? nextWindows(policyCalendar(policy, calendar), at, timer.dueAt, WINDOWS_SHOWN).map(
            (w) => ({
              start: w.start,
              end: Math.min(w.end, timer.dueAt),
            }),
          )
        : leftMs > 0
          ? [{ start: at, end: timer.dueAt }]
          : [];
      return {
        kind: timer.kind,
        dueAt: formatInstant(timer.dueAt),
        leftMs,
        businessLeftMs: known
          ? businessTimeBetween(policyCalendar(policy, calendar), at, timer.dueAt)
          : Math.max(0, leftMs),
        calendar,
        windows: windows.map((w) => ({ start: formatInstant(w.start), end: formatInstant(w.end) })),
      };
    });
