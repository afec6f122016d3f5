import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import type { DocketServices } from '../../src/application/docketServices.js';
import type { EventStore, RecordedEvent } from '../../src/application/eventStore.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import type { Policy } from '../../src/domain/policy/policy.js';
import { buildApp, type AppOptions } from '../../src/http/buildApp.js';
import type { CommandObserver } from '../../src/application/commandObserver.js';
import { allProjections } from '../../projections/allProjections.js';
import { openSqliteReadModels, type ReadModelDb } from '../../src/adapters/readModelDb.js';
import { projectionContext } from '../../src/application/projectionContext.js';
import { Projector } from '../../src/application/projector.js';
import { contosoTenant, fabrikamTenant, servicesWith } from './servicesSpec.js';
import { ProjectionCheckpointStore } from '../../src/adapters/projectionCheckpointStore.js';
import { WebhookOutboxStore } from '../../src/adapters/webhookOutboxStore.js';
import { WebhookRegistry } from '../../src/application/webhookEndpoints.js';
import type { WebhookRoutesOptions } from '../../src/http/webhookRoutes.js';

/** The people of the HTTP specs, one token each. */
export const people = {
  ada: { role: 'customer-admin', tenant: 'contoso', name: 'ada' },
  cy: { role: 'customer-user', tenant: 'contoso', name: 'cy' },
  bo: { role: 'customer-admin', tenant: 'fabrikam', name: 'bo' },
  li: { role: 'agent', name: 'li' },
  mei: { role: 'agent', name: 'mei' },
  audrey: { role: 'auditor', name: 'audrey' },
  rex: { role: 'reporter', name: 'rex' },
  root: { role: 'admin', name: 'root' },
} as const;
export type Person = keyof typeof people;

export const openBody = {
  line: 'technical',
  severity: 'B',
  category: 'exchange-autodiscover',
  title: 'Outlook cannot find the mailbox',
  description: 'Autodiscover fails for every user since this morning.',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};

export interface HttpFixture {
  readonly app: FastifyInstance;
  readonly services: DocketServices;
  readonly store: EventStore;
  readonly clock: VirtualClock;
  readonly tokens: Record<Person, string>;
  /** Injects a request as `who` (or without a token). JSON bodies are sent as JSON. */
  request(who: Person | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Opens a case as ada and returns its id. */
  open(body?: object): Promise<string>;
  /** Every event in the store, in order. */
  allEvents(): Promise<RecordedEvent[]>;
  /** With `readModels: true`: the read models and their live projector. */
  readonly readModels?: ReadModelDb;
  /** With `readModels: true`: the webhook endpoints and outbox behind `/webhooks`. */
  readonly webhooks?: WebhookRoutesOptions;
  /** Waits until the projections have caught up with the log. */
  projected(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The HTTP app over a store (memory unless given), a virtual clock at Monday 2026-11-23 10:00
 * Beijing, tenants contoso (advanced agreement) and fabrikam, and a token for each person.
 */
export const httpFixture = async (
  options: {
    store?: EventStore;
    policy?: Policy;
    bodyLimit?: number;
    readModels?: boolean;
    /** Where the app's JSON log lines go (none by default). */
    log?: (line: string) => void;
    /** More of buildApp's options: readiness, metrics, access log, tracing. */
    app?: Pick<AppOptions, 'readiness' | 'metrics' | 'accessLog' | 'tracing'>;
    /** Told of every case command (metrics). */
    commandObserver?: CommandObserver;
    /** Webhook URLs to private and loopback addresses accepted (a receiver in the test). */
    webhooksAllowPrivate?: boolean;
  } = {},
): Promise<HttpFixture> => {
  const store = options.store ?? new MemoryEventStore();
  const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
  const services = await servicesWith(
    store,
    clock,
    [contosoTenant, fabrikamTenant],
    options.policy ?? defaultPolicy,
    { commandObserver: options.commandObserver },
  );
  const root = { role: 'admin', id: 'root' } as const;
  const tokens = {} as Record<Person, string>;
  for (const [who, request] of Object.entries(people)) {
    const issued = await services.tokens.issue(root, request);
    if (!issued.ok) throw issued.error;
    tokens[who as Person] = issued.value.token;
  }
  const readModels = options.readModels === true ? openSqliteReadModels(':memory:') : undefined;
  const projector =
    readModels === undefined
      ? undefined
      : new Projector({
          store: services.store,
          checkpoints: new ProjectionCheckpointStore(readModels),
          projections: allProjections,
          context: projectionContext(services.policies),
          clock,
          batchMs: 1,
        });
  await projector?.start();
  const webhooks: WebhookRoutesOptions | undefined =
    readModels === undefined
      ? undefined
      : {
          registry: new WebhookRegistry(services.store, clock, {
            tenantExists: async (id) => (await services.tenants.get(id)) !== undefined,
            allowPrivate: options.webhooksAllowPrivate ?? false,
          }),
          outbox: new WebhookOutboxStore(readModels),
          clock,
        };
  const log = options.log;
  const app = await buildApp(services, {
    bodyLimit: options.bodyLimit,
    ...(log === undefined ? {} : { logger: { level: 'info', stream: { write: log } } }),
    ...(readModels === undefined ? {} : { readModels }),
    ...(webhooks === undefined ? {} : { webhooks }),
    ...(readModels === undefined
      ? {}
      : { mail: { outbox: new WebhookOutboxStore(readModels), clock } }),
    ...options.app,
  });
  const request = (who: Person | undefined, inject: InjectOptions) =>
    app.inject({
      ...inject,
      headers: {
        ...(who === undefined ? {} : { authorization: `Bearer ${tokens[who]}` }),
        ...inject.headers,
      },
    });
  return {
    app,
    services,
    store,
    clock,
    tokens,
    request,
    open: async (body = openBody) => {
      const res = await request('ada', { method: 'POST', url: '/cases', payload: body });
      if (res.statusCode !== 201) throw new Error(`open failed: ${res.statusCode} ${res.body}`);
      return res.json<{ case: { id: string } }>().case.id;
    },
    allEvents: async () => {
      const out: RecordedEvent[] = [];
      for await (const event of store.readAll()) out.push(event);
      return out;
    },
    ...(readModels === undefined ? {} : { readModels }),
    ...(webhooks === undefined ? {} : { webhooks }),
    projected: async () => {
      let head = 0n;
      for await (const e of store.readAll({ direction: 'backwards', maxCount: 1 }))
        head = e.position;
      await projector?.caughtUp(head);
    },
    close: async () => {
      await app.close();
      await projector?.close();
      await readModels?.destroy();
      await store.close();
    },
  };
};
