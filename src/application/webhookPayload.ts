import { createHash } from 'node:crypto';
import type { RecordedEvent } from './eventStore.js';
import { internalCaseEvents, type WebhookEndpoint } from './webhookEndpoints.js';

/**
 * The delivery id of an event to an endpoint (`webhook-id`): derived from both, so the outbox
 * makes the same id whenever it turns that event into that delivery (after a crash too), and a
 * receiver recognises a repeat by it.
 */
export const webhookDeliveryId = (eventId: string, endpointId: string): string =>
  `msg_${createHash('sha256').update(`${eventId}\n${endpointId}`).digest('base64url').slice(0, 26)}`;

/**
 * Whether `endpoint` is sent the case event: enabled when the event was recorded, subscribed
 * to its type, and (for a tenant's endpoint) about that tenant's case and not internal.
 */
export const endpointWants = (
  endpoint: WebhookEndpoint,
  eventType: string,
  caseTenant: string,
): boolean =>
  endpoint.disabled === undefined &&
  (endpoint.events as readonly string[]).includes(eventType) &&
  (endpoint.tenant === undefined ||
    (endpoint.tenant === caseTenant && !internalCaseEvents.has(eventType)));

/**
 * The body of a delivery (Standard Webhooks' `type`, `timestamp`, `data`): the one case event,
 * as a customer reads it in the case's history (no token id), and its case and tenant. Nothing
 * of another case, let alone another tenant.
 */
export const webhookPayload = (event: RecordedEvent, caseId: string, tenant: string): string => {
  const { role, id, tenant: actorTenant } = event.metadata.actor;
  return JSON.stringify({
    type: event.type,
    timestamp: event.metadata.occurredAt,
    data: {
      caseId,
      tenant,
      eventId: event.eventId,
      revision: event.revision,
      schemaVersion: event.schemaVersion,
      actor: { role, id, ...(actorTenant === undefined ? {} : { tenant: actorTenant }) },
      event: event.data,
    },
  });
};
