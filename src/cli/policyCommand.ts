import { readPolicyFile } from '../adapters/policyFile.js';
import { systemClock } from '../adapters/systemClock.js';
import type { Clock } from '../domain/clock.js';
import { defaultPolicyDocument } from '../domain/policy/defaultPolicy.js';
import { policyHorizonWarnings } from '../domain/policy/policyHorizons.js';
import type { CliIo } from './cliIo.js';

/** `docket policy show`: the built-in default policy, as a starting point for a policy file. */
export const policyShow = (io: CliIo): void => {
  io.out(JSON.stringify(defaultPolicyDocument, null, 2) + '\n');
};

/**
 * `docket policy check file`: validates a policy file; errors name the path in the file. A valid
 * policy whose holiday data has run out, runs out within 90 days of `clock`'s now or has no
 * stated end gets warnings on stderr; it is still valid (exit 0).
 */
export const policyCheck = (file: string, io: CliIo, clock: Clock = systemClock): void => {
  const policy = readPolicyFile(file);
  if (!policy.ok) throw policy.error;
  io.out(`${file}: policy ${policy.value.version} is valid\n`);
  for (const [id, calendar] of Object.entries(policy.value.calendars)) {
    const holidays = calendar.closedDates.length + calendar.extraOpenDates.length > 0;
    io.out(
      `  ${id}: ` +
        (calendar.holidaysKnownThrough !== undefined
          ? `holiday data through ${calendar.holidaysKnownThrough}`
          : holidays
            ? 'holiday data with no stated end'
            : 'no holiday data (weekly hours only)') +
        '\n',
    );
  }
  for (const warning of policyHorizonWarnings(policy.value, clock.now())) {
    io.err(`docket: warning: ${warning.message} [${warning.code}]\n`);
  }
};
