import { z } from 'zod';
import type { WebhookDelivery } from '../application/webhookOutbox.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A delivery of the outbox (a webhook's or an e-mail's) as its delivery log shows it. */
export const deliveryViewSchema = z
  .object({
    id: z.string().meta({
      description: "The id of every attempt: a webhook's `webhook-id`, an e-mail's Message-ID",
    }),
    eventId: z.string(),
    eventType: z.string(),
    caseId: z.string(),
    position: z.number().int(),
    status: z.enum(['pending', 'delivered', 'dead']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryView = (d: WebhookDelivery): z.infer<typeof deliveryViewSchema> => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  caseId: d.caseId,
  position: d.position,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: iso(d.nextAttemptAt),
  lastAttemptAt: iso(d.lastAttemptAt),
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  deliveredAt: iso(d.deliveredAt),
  createdAt: iso(d.createdAt) ?? '',
});
