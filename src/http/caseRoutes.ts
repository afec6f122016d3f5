import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type {
  CaseCommandHandler,
  CaseCommandRequest,
  CaseCommandResult,
} from '../application/caseCommandHandler.js';
import type { CaseIds } from '../application/caseIds.js';
import { caseAt, caseHistory } from '../application/caseAudit.js';
import { loadCase } from '../application/caseStream.js';
import { CASE_ID_PATTERN } from '../domain/case/stream/caseStreamId.js';
import type { CaseTenancy } from '../application/caseTenancy.js';
import {
  keyedCommandId,
  type IdempotencyLedger,
  type IdempotentRequest,
} from '../application/idempotencyLedger.js';
import type { PolicyRegistry } from '../application/policyRegistry.js';
import { formatInstant, isoInstantSchema, parseInstant } from '../domain/instant.js';
import type { Clock } from '../domain/clock.js';
import { runningDeadlines } from '../application/runningDeadlines.js';
import type { EventStore } from '../application/eventStore.js';
import type { Actor, ActorRole } from '../domain/actor.js';
import { commandRoles } from '../domain/case/caseAccess.js';
import { allowedCommands } from '../domain/case/allowedCommands.js';
import { caseCommand, commandInputSchemas } from '../domain/case/caseCommands.js';
import { notFound } from '../domain/docketError.js';
import type { Result } from '../domain/result.js';
import { caseReadSchema } from './caseReadView.js';
import { caseView, caseViewSchema, eventView, eventViewSchema } from './caseView.js';
import { commandDocs, httpCaseCommands } from './httpCaseCommands.js';
import { idempotencyKey, ifMatchRevision } from './idempotency.js';

/** Who may read cases: customers only their own tenant's (another tenant's case is a 404). */
const caseReaders: readonly ActorRole[] = ['agent', 'auditor', 'customer-admin', 'customer-user'];
const historyReaders: readonly ActorRole[] = ['agent', 'auditor'];
/** Internal events customers do not see in a case's history. */
const internalEvents = new Set(['NoteAdded']);

const caseParams = z.object({
  id: z.string().regex(CASE_ID_PATTERN, 'a case id: letters, digits, . _ ~ - (at most 128)'),
});
const headers = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .describe('retries with the same key return the first result'),
  'if-match': z
    .string()
    .optional()
    .describe('the case revision you saw (the ETag): act only on it'),
});
const historyEntrySchema = z.object({
  revision: z.number(),
  type: z.string(),
  schemaVersion: z.number(),
  occurredAt: z.string(),
  actor: z.object({ role: z.string(), id: z.string(), tenant: z.string().optional() }),
  commandId: z.string(),
  correlationId: z.string(),
  policyVersion: z.string().nullable(),
  machineVersion: z.number().nullable(),
  hash: z.string(),
  state: z.string().nullable(),
  severity: z.string().nullable(),
  data: z.unknown(),
});
const commandResponse = z.object({
  case: caseViewSchema,
  events: z.array(eventViewSchema).describe('what this command recorded'),
});

export interface CaseRoutesDeps {
  readonly store: EventStore;
  readonly commands: CaseCommandHandler;
  readonly policies: PolicyRegistry;
  readonly cases: CaseTenancy;
  readonly idempotency: IdempotencyLedger;
  readonly caseIds: CaseIds;
  readonly clock: Clock;
}

const reply = (res: FastifyReply, outcome: Result<CaseCommandResult>, status: 200 | 201) => {
  if (!outcome.ok) throw outcome.error;
  const { snapshot, events, duplicate } = outcome.value;
  if (duplicate) void res.header('idempotent-replayed', 'true');
  void res.header('etag', `"${snapshot.revision}"`);
  return res.code(status).send({ case: caseView(snapshot), events: events.map(eventView) });
};

export const caseRoutes =
  ({
    store,
    commands,
    policies,
    cases,
    idempotency,
    caseIds,
    clock,
  }: CaseRoutesDeps): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    /**
     * The command id and the idempotency check of a request with an `Idempotency-Key`: a key
     * already recorded for another request is refused; a new one is recorded only when the
     * command is about to append (so refusals record nothing).
     */
    const keyed = async (
      actor: Actor,
      key: string | undefined,
      request: IdempotentRequest,
    ): Promise<Pick<CaseCommandRequest, 'commandId' | 'beforeAppend'>> => {
      if (key === undefined) return {};
      const checked = await idempotency.check(actor, key, request);
      if (!checked.ok) throw checked.error;
      let recorded: Promise<Result<void>> | undefined;
      return {
        commandId: keyedCommandId(actor, key),
        beforeAppend: () => (recorded ??= idempotency.record(actor, key, request)),
      };
    };

    app.post(
      '/cases',
      {
        config: { access: { roles: commandRoles.open, what: 'opening a case' } },
        schema: {
          summary: 'Open a service request (customer admins only)',
          operationId: 'openCase',
          tags: ['cases'],
          headers,
          body: commandInputSchemas.open,
          response: { 201: commandResponse },
        },
      },
      async (request, res) => {
        const { actor, body } = request;
        const key = idempotencyKey(request.headers['idempotency-key']);
        const caseId = key === undefined ? caseIds.random() : caseIds.forKey(actor, key);
        const outcome = await commands.handle({
          type: 'open',
          caseId,
          actor,
          input: body,
          correlationId: request.id,
          ...(await keyed(actor, key, { method: 'POST', route: '/cases', caseId, body })),
        });
        if (outcome.ok) {
          cases.remember(caseId, outcome.value.snapshot.context.tenant.id);
          void res.header('location', `/cases/${caseId}`);
        }
        return reply(res, outcome, 201);
      },
    );

    for (const command of httpCaseCommands) {
      const route = `/cases/:id/${command}`;
      app.post(
        route,
        {
          config: { access: { roles: commandRoles[command], case: true, what: command } },
          schema: {
            ...commandDocs[command],
            tags: ['cases'],
            params: caseParams,
            headers,
            body: commandInputSchemas[command],
            response: { 200: commandResponse },
          },
        },
        async (request, res) => {
          const { actor, body } = request;
          const caseId = request.params.id;
          const expectedRevision = ifMatchRevision(request.headers['if-match']);
          const key = idempotencyKey(request.headers['idempotency-key']);
          const outcome = await commands.handle({
            // The route's schema is the command's: the body is its parsed input.
            ...caseCommand(command, caseId, actor, body),
            correlationId: request.id,
            expectedRevision,
            ...(await keyed(actor, key, { method: 'POST', route, caseId, body })),
          });
          return reply(res, outcome, 200);
        },
      );
    }

    /** The case of a route whose access (role, tenant) the refusal order has already checked. */
    const visibleCase = async (request: FastifyRequest, id: string, action: string) => {
      const loaded = await loadCase(store, id);
      if (loaded.snapshot === undefined) throw notFound(`case ${id} not found`);
      // An auditor's reads are themselves recorded: a structured log line, never an event.
      if (request.actor.role === 'auditor') {
        const { role, id: actorId, tokenId } = request.actor;
        request.log.info(
          {
            audit: { actor: { role, id: actorId, tokenId }, action, caseId: id, url: request.url },
          },
          'audit read',
        );
      }
      return { snapshot: loaded.snapshot, events: loaded.events };
    };

    app.get(
      '/cases/:id',
      {
        config: { access: { roles: caseReaders, case: true, what: 'reading cases' } },
        schema: {
          summary:
            'A case: state, severity, due instants and revision (as it was at `at`, if given)',
          tags: ['cases'],
          params: caseParams,
          querystring: z.strictObject({ at: isoInstantSchema.optional() }),
          response: {
            200: caseReadSchema,
          },
        },
      },
      async (request, res) => {
        const at = request.query.at;
        const action = at === undefined ? 'read' : 'read-at';
        const { snapshot, events } = await visibleCase(request, request.params.id, action);
        if (at === undefined) {
          const now = clock.now();
          const policy = policies.byVersion(snapshot.context.policyVersion);
          void res.header('etag', `"${snapshot.revision}"`);
          return {
            ...caseView(snapshot),
            at: formatInstant(now),
            runningDeadlines: runningDeadlines(snapshot, now, policy),
            allowedCommands: allowedCommands(snapshot, request.actor, now),
          };
        }
        const then = caseAt(events, parseInstant(at), (v) => policies.byVersion(v));
        if (then === undefined) throw notFound(`case ${request.params.id} did not exist at ${at}`);
        return { ...caseView(then.snapshot), at: then.at, runningDeadlines: then.deadlines };
      },
    );

    app.get(
      '/cases/:id/history',
      {
        config: {
          access: {
            roles: historyReaders,
            case: true,
            what: "a case's full history (customers read /cases/:id/events)",
          },
        },
        schema: {
          summary:
            'Every event with its envelope and the state and severity after it (agents, auditors)',
          tags: ['audit'],
          params: caseParams,
          response: {
            200: z.object({ caseId: z.string(), entries: z.array(historyEntrySchema) }),
          },
        },
      },
      async (request) => {
        const { events } = await visibleCase(request, request.params.id, 'history');
        return { caseId: request.params.id, entries: caseHistory(events) };
      },
    );

    app.get(
      '/cases/:id/events',
      {
        config: { access: { roles: caseReaders, case: true, what: 'reading cases' } },
        schema: {
          summary: "A case's history (customers do not see internal notes)",
          tags: ['cases'],
          params: caseParams,
          response: { 200: z.object({ events: z.array(eventViewSchema) }) },
        },
      },
      async (request) => {
        const { events } = await visibleCase(request, request.params.id, 'events');
        const customer =
          request.actor.role === 'customer-admin' || request.actor.role === 'customer-user';
        return {
          events: events.filter((e) => !customer || !internalEvents.has(e.type)).map(eventView),
        };
      },
    );
  };
