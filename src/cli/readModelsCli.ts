import { allProjections } from '../../projections/allProjections.js';
import { openEventStore } from '../adapters/openEventStore.js';
import { readPolicyFile } from '../adapters/policyFile.js';
import { openReadModels, type OpenedReadModels } from '../adapters/openReadModels.js';
import { systemClock } from '../adapters/systemClock.js';
import type { EventStore } from '../application/eventStore.js';
import { PolicyLog } from '../application/policyLog.js';
import { caseEventUpcasters } from '../application/caseEventUpcasters.js';
import { logHead } from '../application/logHead.js';
import { projectionContext } from '../application/projectionContext.js';
import { UpcasterRegistry, withUpcasting } from '../application/upcasting.js';
import { Projector, type CheckpointReset } from '../application/projector.js';
import { loadServiceConfig, type ServiceConfig } from '../config/serviceConfig.js';
import { ProjectionCheckpointStore } from '../adapters/projectionCheckpointStore.js';

export interface ReadModelsSession {
  readonly store: EventStore;
  readonly readModels: OpenedReadModels;
  readonly projector: Projector;
  /** Position of the last event in the log (0 for an empty log). */
  head(): Promise<bigint>;
  close(): Promise<void>;
}

export interface ReadModelsSessionOptions {
  /** How often a caught-up subscription looks for new events in a SQLite store. */
  readonly pollMs?: number;
  readonly onError?: (error: unknown) => void;
  readonly onCheckpointReset?: (reset: CheckpointReset) => void;
}

/** Opens the configured store and read models (the same variables as `docket serve`). */
export const openReadModelsSession = async (
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReadModelsSession> => {
  const config = loadServiceConfig(env);
  if (!config.ok) throw config.error;
  return openReadModelsSessionFor(config.value);
};

/** The same, for a configuration already loaded (`docket serve`'s projector thread). */
export const openReadModelsSessionFor = async (
  config: ServiceConfig,
  options: ReadModelsSessionOptions = {},
): Promise<ReadModelsSession> => {
  const policy = readPolicyFile(config.policyFile);
  if (!policy.ok) throw policy.error;
  const { store } = openEventStore(config, { pollMs: options.pollMs });
  // The projector writes from a thread of its own, while it reads and folds the log.
  const readModels = openReadModels(config, { thread: true });
  const policies = await new PolicyLog(store, systemClock).adopt(policy.value);
  if (!policies.ok) {
    await readModels.db.destroy();
    await store.close();
    throw policies.error;
  }
  const projector = new Projector({
    // Projections see today's event shapes, as in `docket serve`.
    store: withUpcasting(store, new UpcasterRegistry(caseEventUpcasters)),
    checkpoints: new ProjectionCheckpointStore(readModels.db, { lock: readModels.lockCheckpoints }),
    projections: allProjections,
    context: projectionContext(policies.value),
    clock: systemClock,
    ...(options.onError === undefined ? {} : { onError: options.onError }),
    ...(options.onCheckpointReset === undefined
      ? {}
      : { onCheckpointReset: options.onCheckpointReset }),
  });
  return {
    store,
    readModels,
    projector,
    head: async () => (await logHead(store)) ?? 0n,
    close: async () => {
      await projector.close();
      await readModels.db.destroy();
      await store.close();
    },
  };
};
