import { readPolicyFile } from '../adapters/policyFile.js';
import { defaultPolicyDocument } from '../domain/defaultPolicy.js';
import type { CliIo } from './cliIo.js';

/** `docket policy show`: the built-in default policy, as a starting point for a policy file. */
export const policyShow = (io: CliIo): void => {
  io.out(JSON.stringify(defaultPolicyDocument, null, 2) + '\n');
};

/** `docket policy check file`: validates a policy file; errors name the path in the file. */
export const policyCheck = (file: string, io: CliIo): void => {
  const policy = readPolicyFile(file);
  if (!policy.ok) throw policy.error;
  io.out(`${file}: policy ${policy.value.version} is valid\n`);
};
