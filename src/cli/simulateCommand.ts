import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { policyFromJson, readPolicyFile } from '../adapters/policyFile.js';
import { scenarioSchema } from '../application/scenario.js';
import { runSimulation } from '../application/simulation.js';
import { validationError } from '../domain/docketError.js';
import { toFieldIssues } from '../domain/zodIssues.js';
import { CliFailure, type CliIo } from './cliIo.js';

export interface SimulateOptions {
  policy?: string;
  pretty?: boolean;
}

/** `docket simulate scenario.json`: runs the scenario on a virtual clock and prints JSON. */
export const simulate = (file: string, options: SimulateOptions, io: CliIo): void => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliFailure(
      `cannot read scenario ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliFailure(`scenario ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const scenario = scenarioSchema.safeParse(json);
  if (!scenario.success) {
    throw validationError(`scenario ${file} is invalid`, toFieldIssues(scenario.error));
  }
  // --policy overrides the scenario's; a relative path in the scenario is relative to it.
  const source = options.policy ?? scenario.data.policy;
  const policy =
    source === undefined || typeof source === 'string'
      ? readPolicyFile(
          source === undefined || options.policy !== undefined
            ? source
            : resolve(dirname(file), source),
        )
      : policyFromJson(JSON.stringify(source), `${file} (inline policy)`);
  if (!policy.ok) throw policy.error;
  const output = runSimulation(scenario.data, policy.value);
  io.out(JSON.stringify(output, null, options.pretty ? 2 : undefined) + '\n');
};
