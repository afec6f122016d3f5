import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openEventStore } from '../adapters/openEventStore.js';
import { openReadModels } from '../adapters/openReadModels.js';
import { openTimerBackend } from '../adapters/openTimerBackend.js';
import { SqliteTimerSchedule } from '../adapters/sqliteTimerSchedule.js';
import { readPolicyFile } from '../adapters/policyFile.js';
import { systemClock } from '../adapters/systemClock.js';
import { createDocketServices, type DocketServices } from '../application/docketServices.js';
import { timerDispatcher } from '../application/timerDispatcher.js';
import { startProjectorThread, type ProjectorThread } from './projectorThread.js';
import { TimerScheduler } from '../application/timerScheduler.js';
import { loadServiceConfig, type ServiceConfig } from '../config/serviceConfig.js';
import { buildApp } from '../http/buildApp.js';
import type { CliIo } from './cliIo.js';

export interface RunningService {
  readonly app: FastifyInstance;
  readonly services: DocketServices;
  readonly timers: TimerScheduler;
  readonly projector: ProjectorThread;
  /** `http://host:port` it listens on. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, closes the store. */
  close(): Promise<void>;
}

/** Opens the store, adopts the policy, issues the first admin token if none exists, listens. */
export const startService = async (config: ServiceConfig, io: CliIo): Promise<RunningService> => {
  const policy = readPolicyFile(config.policyFile);
  if (!policy.ok) throw policy.error;
  const { store, description } = openEventStore(config);
  let timers: TimerScheduler | undefined;
  let projector: ProjectorThread | undefined;
  let readModels: ReturnType<typeof openReadModels> | undefined;
  try {
    const services = await createDocketServices(store, systemClock, policy.value);
    if (!services.ok) throw services.error;
    const adminToken = await services.value.tokens.bootstrapAdmin();
    readModels = openReadModels(config);
    const app = await buildApp(services.value, {
      bodyLimit: config.bodyLimit,
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
      readModels: readModels.db,
    });
    projector = await startProjectorThread(config, (error) =>
      app.log.error({ err: error }, 'projector'),
    );
    const backend = openTimerBackend(config, systemClock, (error) =>
      app.log.error({ err: error }, 'timer backend'),
    );
    timers = new TimerScheduler({
      store: services.value.store,
      schedule: new SqliteTimerSchedule(join(resolve(config.dataDir), 'timers.db')),
      backend: backend.backend,
      fire: timerDispatcher(services.value.commands, systemClock, (message) =>
        app.log.warn(message),
      ),
      reconcileEveryMs: backend.reconcileEveryMs,
      onError: (error) => app.log.error({ err: error }, 'timer scheduler'),
    });
    const started = await timers.start();
    const url = await app.listen({ port: config.port, host: config.host });
    // One write: whoever reads the output (a person, a supervisor, a test) sees the address and
    // the first admin token together.
    io.out(
      `docket: listening on ${url} (events: ${description}; policy ${policy.value.version}; ` +
        `timers: ${backend.description}, ${started.pending} pending; read models: ${readModels.description})\n` +
        (adminToken === undefined
          ? ''
          : `docket: first start: an admin token was created. It is shown only now:\n\n  ${adminToken}\n\n` +
            `docket: create the others with \`npx docket tokens create --role agent --name <name>\` ` +
            `(or POST /tokens with this one); API browser at ${url}/docs\n`),
    );
    let closing: Promise<void> | undefined;
    const [scheduler, views, db] = [timers, projector, readModels.db];
    return {
      app,
      services: services.value,
      timers: scheduler,
      projector: views,
      url,
      close: () =>
        (closing ??= (async () => {
          await app.close();
          await scheduler.close();
          await views.close();
          await db.destroy();
          await store.close();
        })()),
    };
  } catch (error) {
    await timers?.close();
    await projector?.close();
    await readModels?.db.destroy();
    await store.close();
    throw error;
  }
};

/** `docket serve` (`npm start`): runs until SIGTERM or SIGINT, then shuts down gracefully. */
export const serve = async (io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<void> => {
  const config = loadServiceConfig(env);
  if (!config.ok) throw config.error;
  const service = await startService(config.value, io);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      io.err(`docket: ${signal}: finishing in-flight requests, then closing the store\n`);
      service.close().then(resolve, (error: unknown) => {
        io.err(`docket: shutdown failed: ${String(error)}\n`);
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
};
