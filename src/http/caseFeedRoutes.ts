import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { caseChangeFor, type CaseChange } from '../application/caseChanges.js';
import type { CaseTenancy } from '../application/caseTenancy.js';
import type { EventStore, RecordedEvent } from '../application/eventStore.js';
import { logHead } from '../application/logHead.js';
import type { RouteAccess } from './routeAccess.js';

/** A comment line this often keeps proxies and browsers from dropping a quiet feed. */
const HEARTBEAT_MS = 15_000;

const feedReaders: RouteAccess = {
  roles: ['agent', 'auditor', 'reporter', 'customer-admin', 'customer-user'],
  what: 'the case feed',
};

const position = z
  .string()
  .regex(/^\d{1,20}$/, 'a log position: the id of the last event received');

/** One Server-Sent Event: its id is the log position, so a reconnect resumes after it. */
const sseMessage = (change: CaseChange) =>
  `id: ${change.position}\nevent: case\ndata: ${JSON.stringify(change)}\n\n`;

/**
 * `GET /feed`: the changes of the cases the caller may see, as Server-Sent Events, from the
 * event log itself (no read-model lag): what the console listens to. Customers receive their
 * own tenant's changes only, without internal notes.
 */
export const caseFeedRoutes =
  (store: EventStore, cases: CaseTenancy): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    /** Open feeds, ended when the server closes (each would hold its close forever). */
    const open = new Set<() => void>();
    app.addHook('preClose', (done) => {
      for (const end of [...open]) end();
      done();
    });

    app.get(
      '/feed',
      {
        config: { access: feedReaders },
        schema: {
          summary: 'Live changes of the cases you may see (text/event-stream)',
          description:
            'Each event: `id` the log position, `event: case`, `data` {caseId, tenant, type, revision, occurredAt, position}. Starts after `after` (or the Last-Event-ID a reconnecting browser sends), else at the present. `follow=false` sends what is already in the log and ends.',
          operationId: 'getCaseFeed',
          tags: ['cases'],
          querystring: z.strictObject({
            after: position.optional().describe('start after this log position (exclusive)'),
            follow: z
              .enum(['true', 'false'])
              .default('true')
              .describe('false: end once the log read so far is sent'),
          }),
          headers: z.object({ 'last-event-id': position.optional() }),
          response: {
            200: z.string().describe('text/event-stream'),
          },
        },
      },
      async (request, reply) => {
        const { actor } = request;
        const resume = request.headers['last-event-id'] ?? request.query.after;
        const after = resume === undefined ? await logHead(store) : BigInt(resume);
        const follow = request.query.follow === 'true';
        const out = new PassThrough();
        const subscription = follow
          ? store.subscribe(after === undefined ? {} : { after })
          : undefined;
        const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS);
        heartbeat.unref();
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          clearInterval(heartbeat);
          open.delete(end);
          void subscription?.close();
          out.end();
          // A live feed's connection serves nothing else: drop it once the end is written, or
          // it would linger as keep-alive (a browser reconnects on a new one).
          if (follow) reply.raw.once('finish', () => request.raw.socket.destroy());
        };
        open.add(end);
        request.raw.once('close', end);
        out.write('retry: 1000\n: connected\n\n');

        const events: AsyncIterable<RecordedEvent> =
          subscription ?? store.readAll(after === undefined ? {} : { after });
        void (async () => {
          try {
            for await (const event of events) {
              if (ended) break;
              const change = await caseChangeFor(actor, event, cases);
              if (change !== undefined && !ended) out.write(sseMessage(change));
            }
          } catch (error) {
            request.log.error({ err: error }, 'case feed failed');
          } finally {
            end();
          }
        })();

        return (
          reply
            .type('text/event-stream; charset=utf-8')
            .header('cache-control', 'no-cache')
            .header('x-accel-buffering', 'no')
            // The documented body is the stream's text; the type provider knows only strings.
            .send(out as never)
        );
      },
    );
  };
