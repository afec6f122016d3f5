import { join, resolve } from 'node:path';
import { PostgresLease } from '../../adapters/postgresLease.js';
import { SqliteLease } from '../../adapters/sqliteLease.js';
import { Leadership } from '../../application/leadership.js';
import type { CheckpointReset } from '../../application/projector.js';
import type { ServiceConfig } from '../../config/serviceConfig.js';
import { startProjectorThread, type ProjectorThread } from '../projectorThread.js';
import type { RoleLog } from './roleLog.js';

const at = (position: number) =>
  position < 0 ? 'the beginning of the log' : `position ${position}`;

/**
 * The projector's advisory lock is per read-model database *and schema*: two deployments on
 * schemas of one database (`?options=-c search_path=…`) each have their own projector.
 */
export const projectorLockName = (databaseUrl: string): string => {
  const url = new URL(databaseUrl);
  const schema = /search_path\s*=\s*([^\s]+)/.exec(url.searchParams.get('options') ?? '')?.[1];
  return `docket-projector${url.pathname}${schema === undefined ? '' : `:${schema}`}`;
};

/** A log line for a projection that starts again from an earlier position. */
const checkpointResetMessage = ({ projection, from, to, reason }: CheckpointReset): string =>
  `projector: ${projection} starts again from ${at(to)} (it had reached ${at(from)}): ` +
  (reason === 'version-changed'
    ? 'its version changed, so its tables were emptied and are rebuilt'
    : 'its checkpoint was moved back by another process (a rebuild)');

export interface ProjectorRole {
  /** Whether this process runs the projector of its read-model database now. */
  active(): boolean;
  /** Whether the lease's store (PostgreSQL, or `leases.db`) answered its last attempt. */
  leaseReachable(): boolean;
  close(): Promise<void>;
}

/**
 * The `projector` role: one active projector per read-model database, the others standing by.
 * On PostgreSQL the active one holds a session advisory lock (freed the moment its connection
 * ends); on SQLite a lease row in `leases.db` beside the read models. A standby takes over
 * within a second or two; the new projector carries on from the checkpoints in the database.
 */
export const startProjectorRole = async (
  config: ServiceConfig,
  log: RoleLog,
  options: { readonly pollMs?: number } = {},
): Promise<ProjectorRole> => {
  const lease =
    config.databaseUrl !== undefined
      ? new PostgresLease({
          url: config.databaseUrl,
          name: projectorLockName(config.databaseUrl),
        })
      : new SqliteLease({
          path: join(resolve(config.dataDir), 'leases.db'),
          name: 'projector',
        });
  let thread: ProjectorThread | undefined;
  const leadership = new Leadership({
    lease,
    lead: async (token) => {
      const started = await startProjectorThread(
        config,
        (error) => log.error(error, 'projector'),
        options.pollMs,
        (reset) => log.warn(checkpointResetMessage(reset)),
      );
      thread = started;
      log.info(`projector: this process is the active one (fencing token ${token})`);
      return async () => {
        if (thread === started) thread = undefined;
        await started.close();
      };
    },
    onChange: ({ leader }) => {
      if (!leader) log.info('projector: this process stands by');
    },
    onError: (error) => log.error(error, 'projector lease'),
  });
  await leadership.start();
  return {
    active: () => thread !== undefined,
    leaseReachable: () => leadership.reachable,
    close: () => leadership.close(),
  };
};
