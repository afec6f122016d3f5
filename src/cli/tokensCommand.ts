import { openEventStore } from '../adapters/openEventStore.js';
import { readPolicyFile } from '../adapters/policyFile.js';
import { systemClock } from '../adapters/systemClock.js';
import { createDocketServices } from '../application/docketServices.js';
import { loadServiceConfig } from '../config/serviceConfig.js';
import type { CliIo } from './cliIo.js';

export interface TokensCreateOptions {
  readonly role: string;
  readonly tenant?: string;
  readonly name?: string;
  readonly json?: boolean;
}

/**
 * `docket tokens create --role R [--tenant T] [--name N]`: issues a token in the store the
 * environment configures (the same variables as `serve`) and prints it once.
 */
export const tokensCreate = async (
  options: TokensCreateOptions,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> => {
  const config = loadServiceConfig(env);
  if (!config.ok) throw config.error;
  const policy = readPolicyFile(config.value.policyFile);
  if (!policy.ok) throw policy.error;
  const { store } = openEventStore(config.value);
  try {
    const services = await createDocketServices(store, systemClock, policy.value);
    if (!services.ok) throw services.error;
    const issued = await services.value.tokens.issue(
      { role: 'admin', id: 'cli' },
      {
        role: options.role,
        ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
        ...(options.name !== undefined ? { name: options.name } : {}),
      },
    );
    if (!issued.ok) throw issued.error;
    const { token, info } = issued.value;
    io.out(
      options.json === true
        ? JSON.stringify({ ...info, token }) + '\n'
        : `${token}\n` +
            `(shown once: ${info.role}${info.tenant !== undefined ? ` of ${info.tenant}` : ''}` +
            `${info.name !== undefined ? `, ${info.name}` : ''}; token id ${info.tokenId})\n`,
    );
  } finally {
    await store.close();
  }
};
