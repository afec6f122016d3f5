import { openEventStore } from '../adapters/openEventStore.js';
import { readPolicyFile } from '../adapters/policyFile.js';
import { systemClock } from '../adapters/systemClock.js';
import { createDocketServices } from '../application/docketServices.js';
import type { TokenInfo, TokenRegistry } from '../application/tokenRegistry.js';
import { loadServiceConfig } from '../config/serviceConfig.js';
import type { Actor } from '../domain/actor.js';
import { notFound } from '../domain/docketError.js';
import type { CliIo } from './cliIo.js';

export interface TokensCreateOptions {
  readonly role: string;
  readonly tenant?: string;
  readonly name?: string;
  readonly email?: string;
  readonly language?: string;
  readonly json?: boolean;
}

/** Who the CLI acts as in the log: whoever can run it on the store's host is an admin. */
const cliAdmin: Actor = { role: 'admin', id: 'cli' };

/** Runs `use` on the token registry of the store the environment configures (as `serve` does). */
const withTokens = async <T>(
  env: NodeJS.ProcessEnv,
  use: (tokens: TokenRegistry) => Promise<T>,
): Promise<T> => {
  const config = loadServiceConfig(env);
  if (!config.ok) throw config.error;
  const policy = readPolicyFile(config.value.policyFile);
  if (!policy.ok) throw policy.error;
  const { store } = openEventStore(config.value);
  try {
    const services = await createDocketServices(store, systemClock, policy.value);
    if (!services.ok) throw services.error;
    return await use(services.value.tokens);
  } finally {
    await store.close();
  }
};

/** A token's details, field by field: never its secret or hash. */
const publicInfo = (info: TokenInfo) => ({
  tokenId: info.tokenId,
  role: info.role,
  ...(info.tenant !== undefined ? { tenant: info.tenant } : {}),
  ...(info.name !== undefined ? { name: info.name } : {}),
  ...(info.email !== undefined ? { email: info.email } : {}),
  ...(info.language !== undefined ? { language: info.language } : {}),
  issuedAt: info.issuedAt,
  revoked: info.revoked,
});

/** `agent li`, `customer-admin ada of contoso`. */
const describeToken = (info: TokenInfo) =>
  `${info.role}${info.name !== undefined ? ` ${info.name}` : ''}` +
  `${info.tenant !== undefined ? ` of ${info.tenant}` : ''}`;

/**
 * `docket tokens create --role R [--tenant T] [--name N]`: issues a token in the store the
 * environment configures (the same variables as `serve`) and prints it once.
 */
export const tokensCreate = (
  options: TokensCreateOptions,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> =>
  withTokens(env, async (tokens) => {
    const issued = await tokens.issue(cliAdmin, {
      role: options.role,
      ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.email !== undefined ? { email: options.email } : {}),
      ...(options.language !== undefined ? { language: options.language } : {}),
    });
    if (!issued.ok) throw issued.error;
    const { token, info } = issued.value;
    io.out(
      options.json === true
        ? JSON.stringify({ ...publicInfo(info), token }) + '\n'
        : `${token}\n` +
            `(shown once: ${info.role}${info.tenant !== undefined ? ` of ${info.tenant}` : ''}` +
            `${info.name !== undefined ? `, ${info.name}` : ''}; token id ${info.tokenId})\n`,
    );
  });

const columns = ['TOKEN ID', 'ROLE', 'TENANT', 'NAME', 'ISSUED AT', 'REVOKED'] as const;

/** `docket tokens list [--json]`: every token ever issued, in issue order. */
export const tokensList = (
  options: { readonly json?: boolean },
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> =>
  withTokens(env, async (tokens) => {
    const all = (await tokens.list()).map(publicInfo);
    if (options.json === true) {
      io.out(JSON.stringify(all) + '\n');
      return;
    }
    if (all.length === 0) {
      io.out('no tokens\n');
      return;
    }
    const rows = [
      [...columns],
      ...all.map((t) => [
        t.tokenId,
        t.role,
        t.tenant ?? '-',
        t.name ?? '-',
        t.issuedAt,
        t.revoked ? 'yes' : 'no',
      ]),
    ];
    const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
    io.out(
      rows
        .map((r) =>
          r
            .map((cell, i) => cell.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd(),
        )
        .join('\n') + '\n',
    );
  });

/**
 * `docket tokens revoke <tokenId>`: revokes a token (at once for the processes of this store,
 * within seconds for the others). An unknown id fails; an already revoked one is said so.
 */
export const tokensRevoke = (
  tokenId: string,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> =>
  withTokens(env, async (tokens) => {
    const known = (await tokens.list()).find((t) => t.tokenId === tokenId);
    if (known === undefined) throw notFound(`token ${tokenId} not found`);
    if (known.revoked) {
      io.out(`token ${tokenId} (${describeToken(known)}) was already revoked\n`);
      return;
    }
    const revoked = await tokens.revoke(cliAdmin, tokenId);
    if (!revoked.ok) throw revoked.error;
    io.out(`revoked token ${tokenId} (${describeToken(revoked.value)})\n`);
  });
