import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAIL_CHANNEL } from '../application/mailFanOut.js';
import type { MailMessage } from '../application/mailMessages.js';
import type { WebhookDelivery, WebhookOutbox } from '../application/webhookOutbox.js';
import type { Clock } from '../domain/clock.js';
import { notFound } from '../domain/docketError.js';
import { deliveryView, deliveryViewSchema } from './deliveryView.js';

/** What the e-mail delivery log needs: the outbox's `mail` feed (the read-model DB). */
export interface MailRoutesOptions {
  readonly outbox: Pick<WebhookOutbox, 'list' | 'redeliver'>;
  readonly clock: Clock;
}

const mailDeliverySchema = deliveryViewSchema
  .extend({ to: z.string(), language: z.string(), subject: z.string() })
  .meta({ id: 'MailDelivery' });

const mailDeliveryView = (d: WebhookDelivery): z.infer<typeof mailDeliverySchema> => {
  const { to, language, subject } = JSON.parse(d.payload) as MailMessage;
  return { ...deliveryView(d), to, language, subject };
};

/** Addresses of every tenant's people: the operators' only. */
const admins = { roles: ['admin'], what: 'the e-mail delivery log' } as const;

/** The e-mail delivery log and redelivery, for `admin` tokens. */
export const mailRoutes =
  ({ outbox, clock }: MailRoutesOptions): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.get(
      '/mail/deliveries',
      {
        config: { access: admins },
        schema: {
          summary: 'The e-mail delivery log, newest first',
          tags: ['notifications'],
          querystring: z.strictObject({
            status: z.enum(['pending', 'delivered', 'dead']).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            before: z.coerce
              .number()
              .int()
              .optional()
              .meta({ description: 'Only deliveries of events before this log position (paging)' }),
          }),
          response: { 200: z.object({ deliveries: z.array(mailDeliverySchema) }) },
        },
      },
      async (request) => {
        const { status, limit, before } = request.query;
        const deliveries = await outbox.list(MAIL_CHANNEL, {
          limit,
          ...(status === undefined ? {} : { status }),
          ...(before === undefined ? {} : { before }),
        });
        return { deliveries: deliveries.map(mailDeliveryView) };
      },
    );
    app.post(
      '/mail/deliveries/:deliveryId/redeliver',
      {
        config: { access: admins },
        schema: {
          summary: 'Send an e-mail again, now, with a fresh retry schedule (a dead one too)',
          tags: ['notifications'],
          params: z.object({
            deliveryId: z.string().regex(/^msg_[A-Za-z0-9_-]{26}$/, 'a delivery id'),
          }),
          response: { 202: mailDeliverySchema },
        },
      },
      async (request, reply) => {
        const { deliveryId } = request.params;
        const delivery = await outbox.redeliver(MAIL_CHANNEL, deliveryId, clock.now());
        if (delivery === undefined) throw notFound(`delivery ${deliveryId} not found`);
        return reply.code(202).send(mailDeliveryView(delivery));
      },
    );
  };
