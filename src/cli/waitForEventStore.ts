import type { FastifyInstance } from 'fastify';
import { setTimeout as delay } from 'node:timers/promises';
import { openEventStore } from '../adapters/openEventStore.js';
import { logHead } from '../application/logHead.js';
import { Readiness } from '../application/readiness.js';
import type { ServiceConfig } from '../config/serviceConfig.js';
import { buildOpsApp } from '../http/buildOpsApp.js';
import { isUnavailableDependency } from '../http/unavailableDependency.js';
import type { CliIo } from './cliIo.js';

export interface StoreWaitOptions {
  /** First pause between attempts; doubled after each, up to `maxDelayMs`. @defaultValue 500 */
  readonly firstDelayMs?: number;
  /** @defaultValue 15000 */
  readonly maxDelayMs?: number;
  /** Stops waiting (a signal): resolves to false. */
  readonly stopped: Promise<unknown>;
}

/**
 * Waits until the event store answers a read of the log's head, for `docket serve` started
 * while its store is away (EventStoreDB restarting, a network not up yet). Meanwhile the
 * process listens on its port for `/health` (200) and `/ready` (503, the store named and why),
 * so an orchestrator sees a live process that is not ready rather than a crash loop, and
 * tries again with exponential backoff (with jitter), reporting the outage once. Resolves
 * true once the store answers — the waiting listener closed, so the service can take the port
 * — or false if `stopped` settles first. Any other error than an unreachable store is thrown.
 */
export const waitForEventStore = async (
  config: ServiceConfig,
  io: CliIo,
  options: StoreWaitOptions,
): Promise<boolean> => {
  let failure = await probe(config);
  if (failure === undefined) return true;
  let reason = describe(failure);
  io.err(`docket: the event store cannot be reached (${reason}); not ready, retrying\n`);
  const readiness = new Readiness().register('event-store', () =>
    Promise.resolve({ ready: false, reason: `the event store cannot be reached: ${reason}` }),
  );
  const logger = config.logLevel === 'silent' ? false : { level: config.logLevel };
  const app: FastifyInstance = await buildOpsApp({ logger, readiness });
  try {
    const url = await app.listen({ port: config.port, host: config.host });
    io.out(`docket: waiting for the event store; /health and /ready on ${url}\n`);
    let pause = options.firstDelayMs ?? 500;
    let stop = false;
    void options.stopped.then(() => (stop = true));
    while (failure !== undefined) {
      const jittered = pause / 2 + Math.random() * (pause / 2);
      await Promise.race([delay(jittered), options.stopped]);
      if (stop) return false;
      pause = Math.min(pause * 2, options.maxDelayMs ?? 15_000);
      failure = await probe(config);
      if (failure !== undefined) reason = describe(failure);
    }
    io.err('docket: the event store answers again; starting\n');
    return true;
  } finally {
    await app.close();
  }
};

/** Undefined if the store answers; the error if it cannot be reached; throws on any other. */
const probe = async (config: ServiceConfig): Promise<unknown> => {
  const { store } = openEventStore(config);
  try {
    await logHead(store);
    return undefined;
  } catch (error) {
    if (!isUnavailableDependency(error)) throw error;
    return error;
  } finally {
    await store.close().catch(() => undefined);
  }
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
