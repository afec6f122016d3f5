import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WebhookEndpoint, WebhookRegistry } from '../application/webhookEndpoints.js';
import { webhookRequestSchema } from '../application/webhookEndpoints.js';
import type { WebhookOutbox } from '../application/webhookOutbox.js';
import type { Clock } from '../domain/clock.js';
import { notFound } from '../domain/docketError.js';
import type { Result } from '../domain/result.js';
import { deliveryView, deliveryViewSchema } from './deliveryView.js';

/** What the webhook routes need: the endpoints (the log) and the outbox (the read-model DB). */
export interface WebhookRoutesOptions {
  readonly registry: WebhookRegistry;
  readonly outbox: WebhookOutbox;
  readonly clock: Clock;
}

const endpointViewSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    tenant: z.string().optional(),
    status: z.enum(['enabled', 'disabled']),
    disabled: z.object({ reason: z.enum(['requested', 'failing']), at: z.string() }).optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'Webhook' });

const endpointView = ({ secret: _, disabled, events, ...endpoint }: WebhookEndpoint) => ({
  ...endpoint,
  events: [...events],
  status: disabled === undefined ? ('enabled' as const) : ('disabled' as const),
  ...(disabled === undefined ? {} : { disabled }),
});

const webhookParams = z.object({ id: z.uuid() });
const deliveryParams = webhookParams.extend({
  deliveryId: z.string().regex(/^msg_[A-Za-z0-9_-]{26}$/, 'a delivery id'),
});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const managers = { roles: ['admin', 'customer-admin'], what: 'managing webhooks' } as const;

const unwrap = <T>(result: Result<T>): T => {
  if (!result.ok) throw result.error;
  return result.value;
};

/**
 * Webhook endpoints and their delivery log (docs/notifications.md): admins manage every
 * endpoint, customer admins their tenant's. A route about an endpoint answers 404 for another
 * tenant's exactly as for a missing one, before it looks at the input.
 */
export const webhookRoutes =
  ({ registry, outbox, clock }: WebhookRoutesOptions): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    /** The refusal order's step 3 for `:id`: a malformed id is left to validation (400). */
    const visibleEndpoint = async (request: FastifyRequest) => {
      const id = (request.params as { id?: unknown }).id;
      if (typeof id === 'string' && UUID.test(id)) unwrap(await registry.get(request.actor, id));
    };
    const about = { config: { access: managers }, preValidation: visibleEndpoint };

    app.post(
      '/webhooks',
      {
        config: { access: managers },
        schema: {
          summary: 'Register a webhook endpoint (its signing secret is shown once)',
          operationId: 'registerWebhook',
          tags: ['webhooks'],
          body: webhookRequestSchema,
          response: {
            201: endpointViewSchema.extend({
              secret: z.string().meta({ description: '`whsec_<base64 key>`: shown only now' }),
            }),
          },
        },
      },
      async (request, reply) => {
        const endpoint = unwrap(await registry.register(request.actor, request.body));
        return reply.code(201).send({ ...endpointView(endpoint), secret: endpoint.secret });
      },
    );
    app.get(
      '/webhooks',
      {
        config: { access: managers },
        schema: {
          summary: 'Webhook endpoints (customer admins: their tenant’s)',
          tags: ['webhooks'],
          response: { 200: z.array(endpointViewSchema) },
        },
      },
      async (request) => (await registry.list(request.actor)).map(endpointView),
    );
    app.get(
      '/webhooks/:id',
      {
        ...about,
        schema: {
          summary: 'A webhook endpoint',
          tags: ['webhooks'],
          params: webhookParams,
          response: { 200: endpointViewSchema },
        },
      },
      async (request) => endpointView(unwrap(await registry.get(request.actor, request.params.id))),
    );
    app.post(
      '/webhooks/:id/disable',
      {
        ...about,
        schema: {
          summary: 'Hold deliveries to an endpoint',
          tags: ['webhooks'],
          params: webhookParams,
          response: { 200: endpointViewSchema },
        },
      },
      async (request) =>
        endpointView(unwrap(await registry.disable(request.actor, request.params.id))),
    );
    app.post(
      '/webhooks/:id/enable',
      {
        ...about,
        schema: {
          summary: 'Send to an endpoint again (deliveries held meanwhile go out)',
          tags: ['webhooks'],
          params: webhookParams,
          response: { 200: endpointViewSchema },
        },
      },
      async (request) =>
        endpointView(unwrap(await registry.enable(request.actor, request.params.id))),
    );
    app.get(
      '/webhooks/:id/deliveries',
      {
        ...about,
        schema: {
          summary: "An endpoint's delivery log, newest first",
          tags: ['webhooks'],
          params: webhookParams,
          querystring: z.strictObject({
            status: z.enum(['pending', 'delivered', 'dead']).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            before: z.coerce
              .number()
              .int()
              .optional()
              .meta({ description: 'Only deliveries of events before this log position (paging)' }),
          }),
          response: { 200: z.object({ deliveries: z.array(deliveryViewSchema) }) },
        },
      },
      async (request) => {
        const { status, limit, before } = request.query;
        const deliveries = await outbox.list(request.params.id, {
          limit,
          ...(status === undefined ? {} : { status }),
          ...(before === undefined ? {} : { before }),
        });
        return { deliveries: deliveries.map(deliveryView) };
      },
    );
    app.post(
      '/webhooks/:id/deliveries/:deliveryId/redeliver',
      {
        ...about,
        schema: {
          summary: 'Send a delivery again, now, with a fresh retry schedule (a dead one too)',
          tags: ['webhooks'],
          params: deliveryParams,
          response: { 202: deliveryViewSchema },
        },
      },
      async (request, reply) => {
        const { id, deliveryId } = request.params;
        const delivery = await outbox.redeliver(id, deliveryId, clock.now());
        if (delivery === undefined) throw notFound(`delivery ${deliveryId} not found`);
        return reply.code(202).send(deliveryView(delivery));
      },
    );
    app.delete(
      '/webhooks/:id',
      {
        ...about,
        schema: {
          summary: 'Remove an endpoint: nothing more is sent to it',
          tags: ['webhooks'],
          params: webhookParams,
          response: { 204: z.null().meta({ description: 'Removed' }) },
        },
      },
      async (request, reply) => {
        unwrap(await registry.delete(request.actor, request.params.id));
        return reply.code(204).send(null);
      },
    );
  };
