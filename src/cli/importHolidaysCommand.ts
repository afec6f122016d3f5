import { readFileSync } from 'node:fs';
import { parseHolidaySchedule } from '../adapters/icsHolidaySchedule.js';
import { policyFromJson } from '../adapters/policyFile.js';
import { validationError } from '../domain/docketError.js';
import { defaultPolicyDocument } from '../domain/policy/defaultPolicy.js';
import { importHolidays } from '../domain/policy/holidayImport.js';
import type { PolicyInput } from '../domain/policy/policy.js';
import type { CliIo } from './cliIo.js';

export interface ImportHolidaysOptions {
  readonly calendar: string;
  readonly version: string;
  /** The base policy file (default: the built-in policy). */
  readonly policy?: string;
  readonly through?: string;
}

const readText = (path: string, what: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw validationError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      [{ path: what, message: 'cannot be read' }],
    );
  }
};

/**
 * `docket policy import-holidays --calendar <id> --version <v> schedule.ics`: prints (stdout) a
 * new policy document whose calendar has the schedule's holidays and make-up working days, for
 * `docket policy check` and then adoption (restart the service with it as `DOCKET_POLICY`).
 * The base policy file is not changed.
 */
export const importHolidaysCommand = (
  schedulePath: string,
  options: ImportHolidaysOptions,
  io: CliIo,
): void => {
  let base: PolicyInput = defaultPolicyDocument;
  if (options.policy !== undefined) {
    const text = readText(options.policy, 'policy file');
    const parsed = policyFromJson(text, options.policy);
    if (!parsed.ok) throw parsed.error;
    base = JSON.parse(text) as PolicyInput; // as written: defaults stay implicit
  }
  const schedule = parseHolidaySchedule(readText(schedulePath, 'schedule'), schedulePath);
  if (!schedule.ok) throw schedule.error;
  const next = importHolidays(base, schedule.value, options);
  if (!next.ok) throw next.error;
  const calendar = next.value.calendars[options.calendar];
  io.out(JSON.stringify(next.value, null, 2) + '\n');
  io.err(
    `docket: ${options.calendar}: ${schedule.value.closedDates.length} closed date(s) and ` +
      `${schedule.value.workdays.length} make-up working day(s) from ${schedulePath}; ` +
      `holiday data through ${calendar?.holidaysKnownThrough}; policy ${options.version}\n`,
  );
};
