/**
 * The server of bench/http.bench.ts's metrics variant, run as a child process of the bench
 * (`node --import tsx bench/httpAppServer.ts`) so the load generator does not share its CPU.
 * It is put together as `docket serve` does with its three roles (SQLite store from
 * DOCKET_DATA_DIR, read models beside it, the projector in its thread, in-process timers, the
 * pino logger at info), from the sources, with or without metrics (BENCH_METRICS=on|off):
 * on, a PrometheusMetrics (process metrics included) observes the command handler, collects
 * the calendar horizon and projection lag at each scrape, and its registry is buildApp's
 * `metrics`, so `GET /metrics` is served; off, neither. Request ids cannot be turned off in
 * buildApp: the bench varies whether the requests carry X-Request-Id and traceparent.
 * BENCH_METRICS_APART=on (with metrics): `/metrics` is not the API's but a second Fastify
 * instance's (buildOpsApp, as a process without the api role serves it), on a port of its own.
 *
 * Prints `listening <url> <admin token> [<metrics url>]` once it listens; closes on SIGTERM.
 */
import { allProjections } from '../projections/allProjections.js';
import { openEventStore } from '../src/adapters/openEventStore.js';
import { openReadModels } from '../src/adapters/openReadModels.js';
import { PrometheusMetrics } from '../src/adapters/prometheusMetrics.js';
import { systemClock } from '../src/adapters/systemClock.js';
import { createDocketServices } from '../src/application/docketServices.js';
import { projectionLagReader } from '../src/application/projectionLag.js';
import { startProjectorRole } from '../src/cli/roles/projectorRole.js';
import type { RoleLog } from '../src/cli/roles/roleLog.js';
import { startTimersRole } from '../src/cli/roles/timersRole.js';
import { loadServiceConfig } from '../src/config/serviceConfig.js';
import { defaultPolicy } from '../src/domain/policy/defaultPolicy.js';
import { buildApp } from '../src/http/buildApp.js';
import { buildOpsApp } from '../src/http/buildOpsApp.js';
import { Readiness } from '../src/application/readiness.js';

const withMetrics = process.env['BENCH_METRICS'] === 'on';
const config = loadServiceConfig(process.env);
if (!config.ok) throw config.error;
const { store } = openEventStore(config.value);
// BENCH_PROCESS_METRICS=off: the with variant without prom-client's process metrics.
const processMetrics = process.env['BENCH_PROCESS_METRICS'] !== 'off';
const metrics = withMetrics ? new PrometheusMetrics({ processMetrics }) : undefined;
const created = await createDocketServices(
  store,
  systemClock,
  defaultPolicy,
  metrics === undefined ? {} : { commandObserver: metrics },
);
if (!created.ok) throw created.error;
const services = created.value;
const readModels = openReadModels(config.value);
metrics?.collectCalendarHorizon(() => services.policies.current, systemClock);
metrics?.collectProjectionLag(
  projectionLagReader(readModels.db, allProjections, services.store, systemClock),
);
const adminToken = await services.tokens.bootstrapAdmin();
const apart = process.env['BENCH_METRICS_APART'] === 'on';
const app = await buildApp(services, {
  bodyLimit: config.value.bodyLimit,
  logger: { level: config.value.logLevel },
  readModels: readModels.db,
  ...(metrics === undefined || apart ? {} : { metrics: metrics.registry }),
});
const opsApp =
  metrics !== undefined && apart
    ? await buildOpsApp({ readiness: new Readiness(), metrics: metrics.registry })
    : undefined;
const opsUrl = await opsApp?.listen({ port: 0, host: '127.0.0.1' });
const log: RoleLog = {
  info: (message) => app.log.info(message),
  warn: (message) => app.log.warn(message),
  error: (error, what) => app.log.error({ err: error }, what),
};
const projector = await startProjectorRole(config.value, log);
const timers = await startTimersRole(config.value, services, log);
const url = await app.listen({ port: config.value.port, host: config.value.host });
process.stdout.write(
  `listening ${url} ${adminToken ?? '-'}${opsUrl === undefined ? '' : ` ${opsUrl}`}\n`,
);

process.once('SIGTERM', () => {
  void (async () => {
    await app.close();
    await opsApp?.close();
    await timers.close();
    await projector.close();
    await readModels.db.destroy();
    await store.close();
  })();
});
