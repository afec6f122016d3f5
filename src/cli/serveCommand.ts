import type { FastifyInstance } from 'fastify';
import { openEventStore } from '../adapters/openEventStore.js';
import { sql } from 'kysely';
import { allProjections } from '../../projections/allProjections.js';
import { writeAdminTokenFile } from '../adapters/adminTokenFile.js';
import { startTracing, type Tracing } from '../adapters/openTelemetry.js';
import { openReadModels } from '../adapters/openReadModels.js';
import { PrometheusMetrics } from '../adapters/prometheusMetrics.js';
import type { ReadModelDb } from '../adapters/readModelDb.js';
import { projectionLagReader } from '../application/projectionLag.js';
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
import { mailApi } from './mailApi.js';
import { startWebhooksRole, type WebhooksRole } from './roles/webhooksRole.js';
import { webhookApi } from './webhookApi.js';
import { waitForEventStore } from './waitForEventStore.js';

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
 * process without `api` listens on the same port for health, readiness and metrics only;
 * `DOCKET_METRICS_PORT` moves `/metrics` to a second listener of its own.
 */
export const startService = async (config: ServiceConfig, io: CliIo): Promise<RunningService> => {
  const policy = readPolicyFile(config.policyFile);
  if (!policy.ok) throw policy.error;
  const { store, description } = openEventStore(config);
  const roles = new Set(config.roles);
  let timers: TimersRole | undefined;
  let projector: ProjectorRole | undefined;
  let webhooks: WebhooksRole | undefined;
  let readModels: ReturnType<typeof openReadModels> | undefined;
  let tracing: Tracing | undefined;
  let app: FastifyInstance | undefined;
  let metricsApp: FastifyInstance | undefined;
  // The log is the app's once it is built; until then (the tracing SDK's first words) stderr.
  let log: RoleLog = stderrLog(io);
  try {
    const metrics = new PrometheusMetrics({
      onCollectError: (error, metric) => log.warn(`metrics: ${metric}: ${String(error)}`),
    });
    const services = await createDocketServices(store, systemClock, policy.value, {
      commandObserver: metrics,
    });
    if (!services.ok) throw services.error;
    const { policies } = services.value;
    metrics.collectCalendarHorizon(() => policies.current, systemClock);
    const logger = config.logLevel === 'silent' ? false : { level: config.logLevel };
    const readiness = new Readiness()
      .register('event-store', eventStoreCheck(services.value.store))
      .register('calendar-horizon', calendarHorizonCheck(policies, systemClock));
    if (roles.has('api') || roles.has('projector')) {
      readModels = openReadModels(config);
      const db = readModels.db;
      // Answers even while PostgreSQL is away: the reads that need it answer 503 meanwhile.
      readiness.register('read-models', readModelsCheck(db));
      metrics.collectProjectionLag(
        projectionLagReader(db, allProjections, services.value.store, systemClock),
      );
    }
    if (config.otlpEndpoint !== undefined && roles.has('api'))
      tracing = await startTracing({
        endpoint: config.otlpEndpoint,
        serviceName: config.serviceName,
        onDiagnostic: (message) => log.warn(`tracing: ${message}`),
      });
    // With a metrics port of its own, `/metrics` stays off the API's port (which the public may
    // reach); it costs the commands about the same either way (docs/operations.md).
    const apart = config.metricsPort !== undefined;
    const served = apart ? undefined : metrics.registry;
    if (apart) metricsApp = await buildOpsApp({ logger, readiness, metrics: metrics.registry });
    let adminToken: string | undefined;
    if (roles.has('api')) {
      adminToken = await services.value.tokens.bootstrapAdmin();
      app = await buildApp(services.value, {
        bodyLimit: config.bodyLimit,
        logger,
        accessLog: config.accessLog,
        ...(readModels === undefined
          ? {}
          : {
              readModels: readModels.db,
              webhooks: webhookApi(config, services.value, readModels),
              mail: mailApi(readModels),
            }),
        readiness,
        ...(served === undefined ? {} : { metrics: served }),
        ...(tracing === undefined ? {} : { tracing: tracing.plugin }),
      });
    } else {
      app = await buildOpsApp({ logger, readiness, metrics: served });
    }
    log = roleLog(app);
    if (adminToken !== undefined && config.adminTokenFile !== undefined) {
      await writeAdminTokenFile(config.adminTokenFile, adminToken);
    }
    if (policies.following !== undefined) log.warn(policies.following);
    if (roles.has('projector')) {
      const role = await startProjectorRole(config, log);
      projector = role;
      // The webhook deliverer goes with the projector: both turn the log into rows of its database.
      if (readModels !== undefined)
        webhooks = await startWebhooksRole(config, services.value, readModels, log, (_, attempt) =>
          metrics.mailAttempted(attempt),
        );
      readiness.register('projector', () =>
        Promise.resolve(
          role.leaseReachable()
            ? { ready: true, details: { active: role.active() } }
            : {
                ready: false,
                reason: 'cannot reach the projector lease (the read-model database); retrying',
                details: { active: role.active() },
              },
        ),
      );
    }
    if (roles.has('timers')) {
      const role = await startTimersRole(config, services.value, log, metrics);
      timers = role;
      if (role.jobCounts !== undefined) metrics.collectTimerJobs(role.jobCounts);
      readiness.register('timer-scheduler', async () => {
        const { leader, caughtUp, leaseReachable } = await role.status();
        if (!leaseReachable)
          return {
            ready: false,
            reason: `cannot reach the timer scheduler's lease (${config.redisUrl === undefined ? 'leases.db' : 'Redis'}); retrying`,
            details: { leader },
          };
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
    const metricsUrl = await metricsApp?.listen({ port: config.metricsPort, host: config.host });
    // One write: whoever reads the output (a person, a supervisor, a test) sees the address and
    // the first admin token together.
    io.out(
      `docket: listening on ${url} (roles: ${config.roles.join(', ')}; events: ${description}; ` +
        `policy ${policies.current.version}` +
        (timers === undefined ? '' : `; timers: ${timers.description}`) +
        (readModels === undefined ? '' : `; read models: ${readModels.description}`) +
        ')\n' +
        (metricsUrl === undefined ? '' : `docket: metrics on ${metricsUrl}/metrics\n`) +
        (adminToken === undefined
          ? ''
          : (config.adminTokenFile === undefined
              ? `docket: first start: an admin token was created. It is shown only now:\n\n  ${adminToken}\n\n`
              : `docket: first start: an admin token was created and written to ${config.adminTokenFile} (mode 0600)\n`) +
            `docket: create the others with \`npx docket tokens create --role agent --name <name>\` ` +
            `(or POST /tokens with this one); API browser at ${url}/docs\n`),
    );
    let closing: Promise<void> | undefined;
    const [http, scheduler, views, db, traces] = [app, timers, projector, readModels?.db, tracing];
    const deliverer = webhooks;
    const scraped = metricsApp;
    return {
      app: http,
      services: services.value,
      timers: scheduler,
      projector: views,
      url,
      close: () =>
        (closing ??= (async () => {
          await http.close();
          await scraped?.close();
          await scheduler?.close();
          await views?.close();
          await deliverer?.close();
          await db?.destroy();
          await store.close();
          await traces?.shutdown().catch(() => undefined);
        })()),
    };
  } catch (error) {
    await app?.close();
    await metricsApp?.close();
    await timers?.close();
    await projector?.close();
    await webhooks?.close();
    await readModels?.db.destroy();
    await store.close();
    await tracing?.shutdown().catch(() => undefined);
    throw error;
  }
};

/** The read-model database answers a query. */
const readModelsCheck = (db: ReadModelDb) => async () => {
  await sql`select 1`.execute(db);
  return { ready: true };
};

const stderrLog = (io: CliIo): RoleLog => ({
  info: (message) => io.err(`docket: ${message}\n`),
  warn: (message) => io.err(`docket: ${message}\n`),
  error: (error, what) => io.err(`docket: ${what}: ${String(error)}\n`),
});

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
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  // Started while its store is away: live, not ready, retrying, rather than exiting.
  if (!(await waitForEventStore(config.value, io, { stopped: signalled }))) return;
  const service = await startService(config.value, io);
  const signal = await signalled;
  io.err(`docket: ${signal}: finishing in-flight requests, then closing the store\n`);
  await service.close().catch((error: unknown) => {
    io.err(`docket: shutdown failed: ${String(error)}\n`);
  });
  // Everything of ours is closed. A client a library left reconnecting to a server that is
  // away (BullMQ's blocking connection to a Redis that is down) must not keep the process:
  // a second on, it ends anyway (unref'd: a process with nothing left ends sooner by itself).
  setTimeout(() => process.exit(), 1_000).unref();
};
