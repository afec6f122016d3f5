import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { caseMachineGraph } from '../../machines/caseMachineGraph.js';
import { verifyStream } from '../application/auditVerifier.js';
import { caseEventUpcasters } from '../application/caseEventUpcasters.js';
import type { EventStore, RecordedEvent } from '../application/eventStore.js';
import { UpcasterRegistry } from '../application/upcasting.js';
import { CASE_ID_PATTERN, caseStreamId } from '../domain/case/stream/caseStreamId.js';
import { anyCaller } from './routeAccess.js';

const upcasters = new UpcasterRegistry(caseEventUpcasters);
const graph = caseMachineGraph();

/**
 * What an auditor's console draws and checks: the case machine as a graph (the same for every
 * case and caller), and `GET /cases/:id/verify`, the verification `docket audit verify <case>`
 * runs, over the events as stored.
 */
export const auditRoutes =
  (rawStore: EventStore): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.get(
      '/machine',
      {
        config: { access: anyCaller },
        schema: {
          summary: 'The case machine: its states and the transitions that change state',
          tags: ['audit'],
          response: {
            200: z.object({
              initial: z.string(),
              states: z.array(z.string()),
              transitions: z.array(
                z.object({ from: z.string(), to: z.string(), event: z.string() }),
              ),
            }),
          },
        },
      },
      () => ({ ...graph, states: [...graph.states], transitions: [...graph.transitions] }),
    );

    app.get(
      '/cases/:id/verify',
      {
        config: { access: { roles: ['auditor'], case: true, what: 'verifying a case' } },
        schema: {
          summary: "Verify a case's stream: revisions, hash chain, and replay through the machine",
          tags: ['audit'],
          params: z.object({
            id: z
              .string()
              .regex(CASE_ID_PATTERN, 'a case id: letters, digits, . _ ~ - (at most 128)'),
          }),
          response: {
            200: z.object({
              caseId: z.string(),
              events: z.number().int(),
              intact: z.boolean(),
              breaks: z.array(
                z.object({ revision: z.number().int(), kind: z.string(), reason: z.string() }),
              ),
            }),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const events: RecordedEvent[] = [];
        for await (const e of rawStore.readStream(caseStreamId(id))) events.push(e);
        const breaks = verifyStream(caseStreamId(id), events, upcasters);
        // As every auditor read of a case (src/http/caseRoutes.ts): one structured log line.
        const { role, id: actorId, tokenId } = request.actor;
        request.log.info(
          {
            audit: {
              actor: { role, id: actorId, tokenId },
              action: 'verify',
              caseId: id,
              url: request.url,
            },
          },
          'audit read',
        );
        return {
          caseId: id,
          events: events.length,
          intact: breaks.length === 0,
          breaks: breaks.map(({ revision, kind, reason }) => ({ revision, kind, reason })),
        };
      },
    );
  };
