import type { OpenedReadModels } from '../../adapters/openReadModels.js';
import { SmtpMailSender } from '../../adapters/smtpMailSender.js';
import { WebhookOutboxStore } from '../../adapters/webhookOutboxStore.js';
import type { DocketServices } from '../../application/docketServices.js';
import { logHead } from '../../application/logHead.js';
import { mailDispatcherOptions } from '../../application/mailChannel.js';
import { MailFanOut } from '../../application/mailFanOut.js';
import { OutboxFeeder } from '../../application/outboxFeeder.js';
import type { WebhookAttempt, WebhookDelivery } from '../../application/webhookOutbox.js';
import { WebhookDispatcher } from '../../application/webhookDispatcher.js';
import type { RoleLog } from './roleLog.js';

export interface MailDeliveryOptions {
  readonly smtpUrl: string;
  readonly from: string;
  /** Told of each attempt (metrics). */
  readonly onAttempt?: (delivery: WebhookDelivery, attempt: WebhookAttempt) => void;
}

/**
 * The e-mail channel of the deliverer: its own feed of the outbox (checkpoint `mail`) and the
 * dispatcher sending to the SMTP relay. Started by the webhook deliverer that holds the lease,
 * only when `DOCKET_SMTP_URL` is set; returns how to stop it.
 */
export const startMailDelivery = async (
  services: DocketServices,
  readModels: OpenedReadModels,
  options: MailDeliveryOptions,
  log: RoleLog,
): Promise<() => Promise<void>> => {
  const outbox = new WebhookOutboxStore(readModels.db, {
    lock: readModels.lockCheckpoints,
    feed: 'mail',
    startAt: async () => Number((await logHead(services.store)) ?? -1),
  });
  const sender = new SmtpMailSender({ url: options.smtpUrl, from: options.from });
  const dispatcher = new WebhookDispatcher(
    mailDispatcherOptions({
      outbox,
      sender,
      clock: services.clock,
      onAttempt: (delivery, attempt) => {
        options.onAttempt?.(delivery, attempt);
        if (attempt.outcome.kind === 'dead')
          log.warn(
            `mail: delivery ${delivery.id} (${delivery.eventType} of case ${delivery.caseId}) ` +
              `is dead after its last try: ${attempt.error ?? 'refused'}; ` +
              'POST /mail/deliveries/:id/redeliver sends it again',
          );
      },
      onError: (error) => log.error(error, 'mail dispatcher'),
    }),
  );
  const feeder = new OutboxFeeder({
    store: services.store,
    outbox,
    fanOut: new MailFanOut(services.store, services.policies),
    clock: services.clock,
    onEnqueued: () => dispatcher.wake(),
    onError: (error) => log.error(error, 'mail outbox'),
  });
  await feeder.start();
  dispatcher.start();
  log.info('mail: this process sends the e-mail notifications');
  return async () => {
    await feeder.close();
    await dispatcher.close();
    await sender.close();
  };
};
