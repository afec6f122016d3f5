import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isCustomer, type Actor } from '../domain/actor.js';
import { caseEventTypes, type CaseEventType } from '../domain/case/stream/caseEvents.js';
import type { Clock } from '../domain/clock.js';
import { forbidden, notFound, validationError } from '../domain/docketError.js';
import { formatInstant } from '../domain/instant.js';
import { err, ok, type Result } from '../domain/result.js';
import { toFieldIssues } from '../domain/zodIssues.js';
import { directoryEvent } from './directoryEvent.js';
import { DirectoryStream, type DirectoryFold } from './directoryStream.js';
import type { EventStore } from './eventStore.js';
import { webhookUrlProblem } from './webhookAddresses.js';
import { newWebhookSecret } from './webhookSignature.js';

export const WEBHOOKS_STREAM = 'directory-webhooks';

/** Case events a tenant's endpoint never receives, as its people never see them. */
export const internalCaseEvents: ReadonlySet<string> = new Set<CaseEventType>(['NoteAdded']);

export const webhookRequestSchema = z.strictObject({
  url: z.string().min(1).max(2_000),
  events: z
    .array(z.enum(caseEventTypes as [CaseEventType, ...CaseEventType[]]))
    .min(1)
    .refine((events) => new Set(events).size === events.length, 'each event type once'),
  tenant: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant id')
    .optional(),
});

/** An endpoint as recorded in `directory-webhooks`; its secret signs every delivery. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly CaseEventType[];
  /** Only this tenant's cases (none: every tenant's, for an operator's endpoint). */
  readonly tenant?: string;
  readonly secret: string;
  readonly createdAt: string;
  /** Why deliveries are held: an admin or customer admin said so, or it kept failing. */
  readonly disabled?: { readonly reason: 'requested' | 'failing'; readonly at: string };
}

export type WebhookEndpoints = Map<string, WebhookEndpoint>;

/**
 * `WebhookRegistered { endpoint }`, `WebhookDisabled { id, reason, at }`, `WebhookEnabled { id }`,
 * `WebhookDeleted { id }`. The outbox folds the same events in log order, so which endpoints an
 * event is sent to is decided by the registrations before it in the log.
 */
export const webhookEndpointsFold: DirectoryFold<WebhookEndpoints> = {
  initialState: () => new Map(),
  evolve: (endpoints, { type, data }) => {
    if (type === 'WebhookRegistered') {
      const { endpoint } = data as { endpoint: WebhookEndpoint };
      endpoints.set(endpoint.id, endpoint);
      return endpoints;
    }
    const { id, reason, at } = data as {
      id: string;
      reason?: 'requested' | 'failing';
      at?: string;
    };
    const endpoint = endpoints.get(id);
    if (endpoint === undefined) return endpoints;
    if (type === 'WebhookDeleted') endpoints.delete(id);
    else if (type === 'WebhookEnabled') {
      const { disabled: _, ...enabled } = endpoint;
      endpoints.set(id, enabled);
    } else if (type === 'WebhookDisabled')
      endpoints.set(id, { ...endpoint, disabled: { reason: reason ?? 'requested', at: at ?? '' } });
    return endpoints;
  },
};

/** Whether `actor` may see and manage `endpoint`: admins every one, customer admins their tenant's. */
export const canManageWebhook = (actor: Actor, endpoint: WebhookEndpoint): boolean =>
  actor.role === 'admin' || (isCustomer(actor) && endpoint.tenant === actor.tenant);

export interface WebhookRegistryOptions {
  /** Whether a tenant exists (a tenant-scoped endpoint needs one). */
  readonly tenantExists: (id: string) => Promise<boolean>;
  /** `DOCKET_WEBHOOKS_ALLOW_PRIVATE=1`: private and loopback URLs accepted. @defaultValue false */
  readonly allowPrivate?: boolean;
}

/**
 * Webhook endpoints, kept as events in `directory-webhooks` like tenants and tokens, so every
 * process of a fleet sees them. Admins register endpoints for every tenant or for one; a
 * customer admin registers them for its own tenant only (docs/notifications.md).
 */
export class WebhookRegistry {
  readonly #stream: DirectoryStream<WebhookEndpoints>;

  constructor(
    store: EventStore,
    private readonly clock: Clock,
    private readonly options: WebhookRegistryOptions,
  ) {
    this.#stream = new DirectoryStream(store, WEBHOOKS_STREAM, webhookEndpointsFold);
  }

  /** Every endpoint, as the log says now. */
  async all(): Promise<WebhookEndpoints> {
    return this.#stream.refresh();
  }

  /** The endpoints `actor` may manage, oldest first. */
  async list(actor: Actor): Promise<WebhookEndpoint[]> {
    const endpoints = await this.#stream.refresh();
    return [...endpoints.values()].filter((e) => canManageWebhook(actor, e));
  }

  /** The endpoint, if `actor` may manage it: another tenant's is "not found" as a missing one. */
  async get(actor: Actor, id: string): Promise<Result<WebhookEndpoint>> {
    const endpoint = (await this.#stream.refresh()).get(id);
    return endpoint !== undefined && canManageWebhook(actor, endpoint)
      ? ok(endpoint)
      : err(notFound(`webhook ${id} not found`));
  }

  async register(actor: Actor, input: unknown): Promise<Result<WebhookEndpoint>> {
    if (actor.role !== 'admin' && actor.role !== 'customer-admin')
      return err(forbidden('only admins and customer admins register webhooks'));
    const parsed = webhookRequestSchema.safeParse(input);
    if (!parsed.success)
      return err(validationError('invalid webhook', toFieldIssues(parsed.error)));
    const { url, events } = parsed.data;
    let tenant = parsed.data.tenant;
    if (actor.role === 'customer-admin') {
      if (tenant !== undefined && tenant !== actor.tenant)
        return err(forbidden('a customer admin registers webhooks for its own tenant only'));
      tenant = actor.tenant;
    } else if (tenant !== undefined && !(await this.options.tenantExists(tenant))) {
      return err(
        validationError(`tenant ${tenant} is not registered`, [
          { path: 'tenant', message: 'register the tenant first (POST /tenants)' },
        ]),
      );
    }
    const internal = events.filter((e) => internalCaseEvents.has(e));
    if (tenant !== undefined && internal.length > 0)
      return err(
        validationError('a tenant is not sent internal notes', [
          { path: 'events', message: `${internal.join(', ')}: internal to support` },
        ]),
      );
    const urlProblem = webhookUrlProblem(url, this.options.allowPrivate ?? false);
    if (urlProblem !== undefined)
      return err(
        validationError(`webhook URL refused: ${urlProblem}`, [
          { path: 'url', message: urlProblem },
        ]),
      );
    const now = this.clock.now();
    const endpoint: WebhookEndpoint = {
      id: randomUUID(),
      url,
      events,
      ...(tenant === undefined ? {} : { tenant }),
      secret: newWebhookSecret(),
      createdAt: formatInstant(now),
    };
    return this.#stream.append(() => ({
      events: [directoryEvent(actor, now, 'WebhookRegistered', { endpoint })],
      result: ok(endpoint),
    }));
  }

  /** Holds the endpoint's deliveries (`reason` `failing`: the deliverer gave up on it). */
  disable(actor: Actor, id: string, reason: 'requested' | 'failing' = 'requested') {
    return this.#change(actor, id, (endpoint, now) =>
      endpoint.disabled === undefined
        ? [directoryEvent(actor, now, 'WebhookDisabled', { id, reason, at: formatInstant(now) })]
        : [],
    );
  }

  /** Sends again: deliveries held meanwhile go out, those due first. */
  enable(actor: Actor, id: string) {
    return this.#change(actor, id, (endpoint, now) =>
      endpoint.disabled === undefined ? [] : [directoryEvent(actor, now, 'WebhookEnabled', { id })],
    );
  }

  /** Removes the endpoint: nothing more is sent to it. */
  delete(actor: Actor, id: string) {
    return this.#change(actor, id, (_, now) => [
      directoryEvent(actor, now, 'WebhookDeleted', { id }),
    ]);
  }

  #change(
    actor: Actor,
    id: string,
    decide: (endpoint: WebhookEndpoint, now: number) => ReturnType<typeof directoryEvent>[],
  ): Promise<Result<WebhookEndpoint>> {
    return this.#stream.append<Result<WebhookEndpoint>>((endpoints) => {
      const endpoint = endpoints.get(id);
      // The deliverer (the engine's own actor) may disable any endpoint.
      if (endpoint === undefined || (actor.role !== 'timer' && !canManageWebhook(actor, endpoint)))
        return { events: [], result: err(notFound(`webhook ${id} not found`)) };
      const events = decide(endpoint, this.clock.now());
      const after = webhookEndpointsFold.evolve(
        new Map([[id, endpoint]]),
        events[0] ?? { type: '', data: {} },
      );
      return { events, result: ok(after.get(id) ?? endpoint) };
    });
  }
}
