import type { FastifyInstance } from 'fastify';
import { openEventStore } from '../adapters/openEventStore.js';
import { openReadModels } from '../adapters/openReadModels.js';
import { readPolicyFile } from '../adapters/policyFile.js';
import { systemClock } from '../adapters/systemClock.js';
import { createDocketServices, type DocketServices } from '../application/docketServices.js';
import { Readiness } from '../application/readiness.js';
import { calendarHorizonCheck, eventStoreCheck } from '../application/readinessChecks.js';
import { loadServiceConfig, type ServiceConfig } from '../config/serviceConfig.js';
import { buildApp } from '../http/buildApp.js';
import { buildOpsApp } from '../http/buildOpsApp.js';
import type { CliIo } from './cliIo.js';
import { startProjectorRole, type ProjectorRole } from './roles/projectorRole.js';
import type { RoleLog } from './roles/roleLog.js';
import { startTimersRole, type TimersRole } from './roles/timersRole.js';

export interface RunningService {
  /** The HTTP app it serves: the API (role `api`), or only health, readiness and metrics. */
  readonly app: FastifyInstance;
  readonly services: DocketServices;
  readonly timers: TimersRole | undefined;
  readonly projector: ProjectorRole | undefined;
  /** `http://host:port` it listens on. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, hands its leases over, closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the store, adopts the policy, starts the roles the configuration names and listens.
 * The `api` role serves the API (and issues the first admin token on a new store); the
 * `timers` and `projector` roles elect their leaders among the processes that run them; a
 * process without `api` listens on the same port for health, readiness and metrics only.
 */
export const startService = async (config: ServiceConfig, io: CliIo): Promise<RunningService> => {
  const policy = readPolicyFile(config.policyFile);
  if (!policy.ok) throw policy.error;
  const { store, description } = openEventStore(config);
  const roles = new Set(config.roles);
  let timers: TimersRole | undefined;
  let projector: ProjectorRole | undefined;
  let readModels: ReturnType<typeof openReadModels> | undefined;
  let app: FastifyInstance | undefined;
  try {
    const services = await createDocketServices(store, systemClock, policy.value);
    if (!services.ok) throw services.error;
    const logger = config.logLevel === 'silent' ? false : { level: config.logLevel };
    const readiness = new Readiness()
      .register('event-store', eventStoreCheck(services.value.store))
      .register('calendar-horizon', calendarHorizonCheck(services.value.policies, systemClock));
    let adminToken: string | undefined;
    if (roles.has('api')) {
      adminToken = await services.value.tokens.bootstrapAdmin();
      readModels = openReadModels(config);
      app = await buildApp(services.value, {
        bodyLimit: config.bodyLimit,
        logger,
        readModels: readModels.db,
        readiness,
      });
    } else {
      app = await buildOpsApp({ logger, readiness });
    }
    const log = roleLog(app);
    if (services.value.policies.following !== undefined)
      log.warn(services.value.policies.following);
    if (roles.has('projector')) projector = await startProjectorRole(config, log);
    if (roles.has('timers')) {
      const role = await startTimersRole(config, services.value, log);
      timers = role;
      readiness.register('timer-scheduler', async () => {
        const { leader, caughtUp } = await role.status();
        return caughtUp
          ? { ready: true, details: { leader } }
          : {
              ready: false,
              reason: 'the timer scheduler is catching up with the log',
              details: { leader },
            };
      });
    }
    const url = await app.listen({ port: config.port, host: config.host });
    // One write: whoever reads the output (a person, a supervisor, a test) sees the address and
    // the first admin token together.
    io.out(
      `docket: listening on ${url} (roles: ${config.roles.join(', ')}; events: ${description}; ` +
        `policy ${services.value.policies.current.version}` +
        (timers === undefined ? '' : `; timers: ${timers.description}`) +
        (readModels === undefined ? '' : `; read models: ${readModels.description}`) +
        ')\n' +
        (adminToken === undefined
          ? ''
          : `docket: first start: an admin token was created. It is shown only now:\n\n  ${adminToken}\n\n` +
            `docket: create the others with \`npx docket tokens create --role agent --name <name>\` ` +
            `(or POST /tokens with this one); API browser at ${url}/docs\n`),
    );
    let closing: Promise<void> | undefined;
    const [http, scheduler, views, db] = [app, timers, projector, readModels?.db];
    return {
      app: http,
      services: services.value,
      timers: scheduler,
      projector: views,
      url,
      close: () =>
        (closing ??= (async () => {
          await http.close();
          await scheduler?.close();
          await views?.close();
          await db?.destroy();
          await store.close();
        })()),
    };
  } catch (error) {
    await app?.close();
    await timers?.close();
    await projector?.close();
    await readModels?.db.destroy();
    await store.close();
    throw error;
  }
};

/** The service's structured log, as the roles report to it. */
const roleLog = (app: FastifyInstance): RoleLog => ({
  info: (message) => app.log.info(message),
  warn: (message) => app.log.warn(message),
  error: (error, what) => app.log.error({ err: error }, what),
});

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
