import type { OpenedReadModels } from '../adapters/openReadModels.js';
import { systemClock } from '../adapters/systemClock.js';
import { WebhookOutboxStore } from '../adapters/webhookOutboxStore.js';
import type { MailRoutesOptions } from '../http/mailRoutes.js';

/**
 * The e-mail delivery log the API serves, from the outbox in the read-model database. It reads
 * and redelivers rows only: it never creates the `mail` feed's checkpoint (the deliverer does,
 * at the head of the log), so it goes through the webhooks feed's store.
 */
export const mailApi = (readModels: OpenedReadModels): MailRoutesOptions => ({
  outbox: new WebhookOutboxStore(readModels.db, { lock: readModels.lockCheckpoints }),
  clock: systemClock,
});
