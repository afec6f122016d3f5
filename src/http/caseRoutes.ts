import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CaseCommandHandler, CaseCommandResult } from '../application/caseCommandHandler.js';
import { CASE_ID_PATTERN, loadCase } from '../application/caseStream.js';
import type { EventStore } from '../application/eventStore.js';
import type { ActorRole } from '../domain/actor.js';
import { canSeeCase } from '../domain/caseAccess.js';
import { commandInputSchemas, type CommandType } from '../domain/caseInput.js';
import { forbidden, notFound } from '../domain/docketError.js';
import type { Result } from '../domain/result.js';
import { caseView, caseViewSchema, eventView, eventViewSchema } from './caseView.js';
import { commandIdFor, idempotencyKey, ifMatchRevision, newCaseId } from './idempotency.js';

/** Commands people issue over HTTP; the check commands are the timers' own. */
export const httpCaseCommands = [
  'assign',
  'respond',
  'requestInfo',
  'customerReply',
  'changeSeverity',
  'addNote',
  'resolve',
  'withdraw',
  'reopen',
  'submitSurvey',
] as const satisfies readonly CommandType[];

/** Who may read cases: customers only their own tenant's (another tenant's case is a 404). */
const caseReaders: readonly ActorRole[] = ['agent', 'auditor', 'customer-admin', 'customer-user'];
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
const commandResponse = z.object({
  case: caseViewSchema,
  events: z.array(eventViewSchema).describe('what this command recorded'),
});

export interface CaseRoutesDeps {
  readonly store: EventStore;
  readonly commands: CaseCommandHandler;
}

const reply = (res: FastifyReply, outcome: Result<CaseCommandResult>, status: 200 | 201) => {
  if (!outcome.ok) throw outcome.error;
  const { snapshot, events, duplicate } = outcome.value;
  if (duplicate) void res.header('idempotent-replayed', 'true');
  void res.header('etag', `"${snapshot.revision}"`);
  return res.code(status).send({ case: caseView(snapshot), events: events.map(eventView) });
};

const assertReader = (request: FastifyRequest) => {
  if (!caseReaders.includes(request.actor.role)) {
    throw forbidden(
      `${request.actor.role} tokens do not read cases (agents, auditors and the case's customers do)`,
    );
  }
};

export const caseRoutes =
  ({ store, commands }: CaseRoutesDeps): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.post(
      '/cases',
      {
        schema: {
          summary: 'Open a service request (customer admins only)',
          tags: ['cases'],
          headers,
          body: commandInputSchemas.open,
          response: { 201: commandResponse },
        },
      },
      async (request, res) => {
        const key = idempotencyKey(request.headers['idempotency-key']);
        const caseId = newCaseId(request.actor, key);
        const outcome = await commands.handle({
          type: 'open',
          caseId,
          actor: request.actor,
          input: request.body,
          commandId: commandIdFor(request.actor, key),
          correlationId: request.id,
        });
        if (outcome.ok) void res.header('location', `/cases/${caseId}`);
        return reply(res, outcome, 201);
      },
    );

    for (const command of httpCaseCommands) {
      app.post(
        `/cases/:id/${command}`,
        {
          schema: {
            summary: `${command} (DESIGN.md §4)`,
            tags: ['cases'],
            params: caseParams,
            headers,
            body: commandInputSchemas[command],
            response: { 200: commandResponse },
          },
        },
        async (request, res) => {
          const key = idempotencyKey(request.headers['idempotency-key']);
          const outcome = await commands.handle({
            type: command,
            caseId: request.params.id,
            actor: request.actor,
            input: request.body,
            commandId: commandIdFor(request.actor, key),
            correlationId: request.id,
            expectedRevision: ifMatchRevision(request.headers['if-match']),
          });
          return reply(res, outcome, 200);
        },
      );
    }

    const visibleCase = async (request: FastifyRequest, id: string) => {
      assertReader(request);
      const loaded = await loadCase(store, id);
      if (
        loaded.snapshot === undefined ||
        !canSeeCase(request.actor, loaded.snapshot.context.tenant.id)
      ) {
        throw notFound(`case ${id} not found`);
      }
      return { snapshot: loaded.snapshot, events: loaded.events };
    };

    app.get(
      '/cases/:id',
      {
        schema: {
          summary: 'A case: state, severity, due instants and revision',
          tags: ['cases'],
          params: caseParams,
          response: { 200: caseViewSchema },
        },
      },
      async (request, res) => {
        const { snapshot } = await visibleCase(request, request.params.id);
        void res.header('etag', `"${snapshot.revision}"`);
        return caseView(snapshot);
      },
    );

    app.get(
      '/cases/:id/events',
      {
        schema: {
          summary: "A case's history (customers do not see internal notes)",
          tags: ['cases'],
          params: caseParams,
          response: { 200: z.object({ events: z.array(eventViewSchema) }) },
        },
      },
      async (request) => {
        const { events } = await visibleCase(request, request.params.id);
        const customer =
          request.actor.role === 'customer-admin' || request.actor.role === 'customer-user';
        return {
          events: events.filter((e) => !customer || !internalEvents.has(e.type)).map(eventView),
        };
      },
    );
  };
