import type { OpenedReadModels } from '../adapters/openReadModels.js';
import { systemClock } from '../adapters/systemClock.js';
import { WebhookOutboxStore } from '../adapters/webhookOutboxStore.js';
import type { DocketServices } from '../application/docketServices.js';
import { WebhookRegistry } from '../application/webhookEndpoints.js';
import type { ServiceConfig } from '../config/serviceConfig.js';
import type { WebhookRoutesOptions } from '../http/webhookRoutes.js';

/** The endpoints (in the log) and the delivery log (in the read-model database) the API serves. */
export const webhookApi = (
  config: Pick<ServiceConfig, 'webhooksAllowPrivate'>,
  services: DocketServices,
  readModels: OpenedReadModels,
): WebhookRoutesOptions => ({
  registry: webhookRegistry(config, services),
  outbox: new WebhookOutboxStore(readModels.db, { lock: readModels.lockCheckpoints }),
  clock: systemClock,
});

export const webhookRegistry = (
  config: Pick<ServiceConfig, 'webhooksAllowPrivate'>,
  services: DocketServices,
): WebhookRegistry =>
  new WebhookRegistry(services.store, services.clock, {
    tenantExists: async (id) => (await services.tenants.get(id)) !== undefined,
    allowPrivate: config.webhooksAllowPrivate,
  });
