import { join, resolve } from 'node:path';
import { HttpWebhookSender } from '../../adapters/httpWebhookSender.js';
import type { OpenedReadModels } from '../../adapters/openReadModels.js';
import { PostgresLease } from '../../adapters/postgresLease.js';
import { SqliteLease } from '../../adapters/sqliteLease.js';
import { WebhookOutboxStore } from '../../adapters/webhookOutboxStore.js';
import type { DocketServices } from '../../application/docketServices.js';
import type { WebhookAttempt, WebhookDelivery } from '../../application/webhookOutbox.js';
import { Leadership } from '../../application/leadership.js';
import { WebhookDispatcher } from '../../application/webhookDispatcher.js';
import { WebhookFeeder } from '../../application/webhookFeeder.js';
import type { ServiceConfig } from '../../config/serviceConfig.js';
import { webhookRegistry } from '../webhookApi.js';
import { startMailDelivery } from './mailDelivery.js';
import type { RoleLog } from './roleLog.js';

export interface WebhooksRole {
  /** Whether this process delivers the webhooks of its read-model database now. */
  active(): boolean;
  /** Whether the lease's store (PostgreSQL, or `leases.db`) answered its last attempt. */
  leaseReachable(): boolean;
  close(): Promise<void>;
}

/**
 * The webhook deliverer, run by the `projector` role beside the projector: one active per
 * read-model database (where the outbox lives), the others standing by, elected on a lease of
 * its own (a PostgreSQL advisory lock, or a row of `leases.db`), so that it may run in another
 * process than the active projector. The active one feeds the outbox from the log and sends
 * what is due; a standby that takes over carries on from the outbox's checkpoint and rows. With
 * `DOCKET_SMTP_URL` set, the same process sends the e-mail notifications too (their own feed of
 * the same outbox).
 */
export const startWebhooksRole = async (
  config: ServiceConfig,
  services: DocketServices,
  readModels: OpenedReadModels,
  log: RoleLog,
  /** Told of each e-mail attempt (metrics). */
  onMailAttempt?: (delivery: WebhookDelivery, attempt: WebhookAttempt) => void,
): Promise<WebhooksRole> => {
  const lease =
    config.databaseUrl !== undefined
      ? new PostgresLease({
          url: config.databaseUrl,
          name: `docket-webhooks${new URL(config.databaseUrl).pathname}`,
        })
      : new SqliteLease({
          path: join(resolve(config.dataDir), 'leases.db'),
          name: 'webhook-deliverer',
        });
  let delivering = false;
  const leadership = new Leadership({
    lease,
    lead: async (token) => {
      const registry = webhookRegistry(config, services);
      const outbox = new WebhookOutboxStore(readModels.db, { lock: readModels.lockCheckpoints });
      const sender = new HttpWebhookSender({ allowPrivate: config.webhooksAllowPrivate });
      const dispatcher = new WebhookDispatcher({
        outbox,
        endpoints: registry,
        sender,
        clock: services.clock,
        onDisabled: (endpoint, why) =>
          log.warn(`webhooks: endpoint ${endpoint.id} disabled: ${why}`),
        onError: (error) => log.error(error, 'webhook dispatcher'),
      });
      const feeder = new WebhookFeeder({
        store: services.store,
        outbox,
        tenantOf: (caseId) => services.cases.tenantOf(caseId),
        clock: services.clock,
        onEnqueued: () => dispatcher.wake(),
        onError: (error) => log.error(error, 'webhook outbox'),
      });
      await feeder.start();
      dispatcher.start();
      const { smtpUrl, mailFrom } = config;
      const stopMail =
        smtpUrl === undefined || mailFrom === undefined
          ? undefined
          : await startMailDelivery(
              services,
              readModels,
              {
                smtpUrl,
                from: mailFrom,
                ...(onMailAttempt === undefined ? {} : { onAttempt: onMailAttempt }),
              },
              log,
            );
      delivering = true;
      log.info(`webhooks: this process delivers (fencing token ${token})`);
      return async () => {
        delivering = false;
        await stopMail?.();
        await feeder.close();
        await dispatcher.close();
        await sender.close();
      };
    },
    onChange: ({ leader }) => {
      if (!leader) log.info('webhooks: this process stands by');
    },
    onError: (error) => log.error(error, 'webhook deliverer lease'),
  });
  await leadership.start();
  return {
    active: () => delivering,
    leaseReachable: () => leadership.reachable,
    close: () => leadership.close(),
  };
};
