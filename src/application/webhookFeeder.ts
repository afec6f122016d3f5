import { caseIdOf, isCaseStream } from '../domain/case/stream/caseStreamId.js';
import type { RecordedEvent } from './eventStore.js';
import { OutboxFeeder, type OutboxFanOut, type OutboxFeederOptions } from './outboxFeeder.js';
import {
  WEBHOOKS_STREAM,
  webhookEndpointsFold,
  type WebhookEndpoints,
} from './webhookEndpoints.js';
import type { NewWebhookDelivery } from './webhookOutbox.js';
import { endpointWants, webhookDeliveryId, webhookPayload } from './webhookPayload.js';

export interface WebhookFeederOptions extends Omit<OutboxFeederOptions, 'fanOut'> {
  /** The tenant of a case (CaseTenancy). */
  readonly tenantOf: (caseId: string) => Promise<string | undefined>;
}

/**
 * The webhook outbox's feed: each case event becomes one delivery per endpoint that wants it.
 * Which endpoints want an event is decided by folding `directory-webhooks` in the same pass, so
 * it depends only on the log. An endpoint receives events recorded after its registration,
 * while it is enabled.
 */
export class WebhookFeeder extends OutboxFeeder {
  constructor(options: WebhookFeederOptions) {
    super({ ...options, fanOut: new WebhookFanOut(options) });
  }
}

class WebhookFanOut implements OutboxFanOut {
  #endpoints: WebhookEndpoints = webhookEndpointsFold.initialState();

  constructor(private readonly o: WebhookFeederOptions) {}

  /** The endpoints as the log stood at `position`. */
  async restore(position: number): Promise<void> {
    const endpoints = webhookEndpointsFold.initialState();
    for await (const event of this.o.store.readStream(WEBHOOKS_STREAM)) {
      if (Number(event.position) <= position) webhookEndpointsFold.evolve(endpoints, event);
    }
    this.#endpoints = endpoints;
  }

  async deliveries(event: RecordedEvent): Promise<NewWebhookDelivery[]> {
    if (event.streamId === WEBHOOKS_STREAM) {
      webhookEndpointsFold.evolve(this.#endpoints, event);
      return [];
    }
    if (!isCaseStream(event.streamId)) return [];
    const interested = [...this.#endpoints.values()].filter(
      (e) => e.disabled === undefined && (e.events as readonly string[]).includes(event.type),
    );
    if (interested.length === 0) return [];
    const caseId = event.metadata.caseId ?? caseIdOf(event.streamId);
    const tenant =
      event.type === 'CaseOpened'
        ? (event.data as { tenant: { id: string } }).tenant.id
        : await this.o.tenantOf(caseId);
    if (tenant === undefined) return [];
    const payload = webhookPayload(event, caseId, tenant);
    return interested
      .filter((endpoint) => endpointWants(endpoint, event.type, tenant))
      .map((endpoint) => ({
        id: webhookDeliveryId(event.eventId, endpoint.id),
        endpointId: endpoint.id,
        eventId: event.eventId,
        eventType: event.type,
        caseId,
        position: Number(event.position),
        payload,
      }));
  }
}
