import { DateTime } from 'luxon';
import { readPolicyFile } from '../adapters/policyFile.js';
import { addBusinessTime } from '../domain/policy/businessCalendar.js';
import { describeDuration } from '../domain/policy/businessDuration.js';
import { calendarHorizonWarning } from '../domain/policy/calendarHorizon.js';
import { validationError } from '../domain/docketError.js';
import { parseInstant } from '../domain/instant.js';
import { policyCalendar } from '../domain/policy/policyCalendars.js';
import { severitySchema } from '../domain/policy/severity.js';
import { lookupSeverityRule } from '../domain/policy/severityRule.js';
import type { CliIo } from './cliIo.js';

export interface SlaDueOptions {
  offering: string;
  line: string;
  severity: string;
  openedAt: string;
  region?: string;
  policy?: string;
  json?: boolean;
}

/**
 * `docket sla due`: the initial-response due instant of a case opened at `--opened-at`. A due
 * instant past the calendar's known holidays is still printed (exit 0), with a warning on
 * stderr, or in `warnings` with `--json`.
 */
export const slaDue = (options: SlaDueOptions, io: CliIo): void => {
  const severity = severitySchema.safeParse(options.severity);
  if (!severity.success) {
    throw validationError(`--severity must be A, B or C, not "${options.severity}"`);
  }
  const openedAt = parseInstant(options.openedAt);
  if (Number.isNaN(openedAt) || !/[zZ]|[+-]\d\d:?\d\d$/.test(options.openedAt)) {
    throw validationError(
      `--opened-at must be an ISO 8601 instant with an offset (e.g. 2026-11-23T10:00:00+08:00), not "${options.openedAt}"`,
    );
  }
  const policy = readPolicyFile(options.policy);
  if (!policy.ok) throw policy.error;
  const rule = lookupSeverityRule(policy.value, {
    offering: options.offering,
    line: options.line,
    severity: severity.data,
    region: options.region,
  });
  if (!rule.ok) throw rule.error;
  const calendar = policyCalendar(policy.value, rule.value.calendarId);
  const due = addBusinessTime(calendar, openedAt, rule.value.responseTarget);
  const dueAt = DateTime.fromMillis(due, { zone: calendar.definition.zone }).toISO({
    suppressMilliseconds: true,
  });
  const horizon = calendarHorizonWarning(rule.value.calendarId, calendar, openedAt, due);
  const warnings = horizon === undefined ? [] : [horizon];
  if (!options.json) {
    io.out(`${dueAt}\n`);
    for (const warning of warnings)
      io.err(`docket: warning: ${warning.message} [${warning.code}]\n`);
    return;
  }
  io.out(
    JSON.stringify({
      dueAt,
      dueAtUtc: new Date(due).toISOString(),
      openedAt: new Date(openedAt).toISOString(),
      offering: options.offering,
      line: options.line,
      severity: severity.data,
      target: describeDuration(rule.value.responseTarget),
      responseTarget: rule.value.responseTarget,
      calendar: rule.value.calendarId,
      zone: calendar.definition.zone,
      businessDayHours: calendar.nominalDayMs / 3_600_000,
      requiresAdvancedAgreement: rule.value.requiresAdvancedAgreement,
      policyVersion: policy.value.version,
      warnings,
    }) + '\n',
  );
};
