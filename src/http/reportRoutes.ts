import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { caseQueue } from '../../projections/caseQueue.js';
import type { CaseQueueTable } from '../../projections/caseQueueTable.js';
import { readWithPosition } from '../../projections/projectionPositions.js';
import { queryQueue, queueNames } from '../../projections/queueQueries.js';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import { slaCompliance } from '../../projections/slaCompliance.js';
import { slaReport, slaReportCsv } from '../../projections/slaReport.js';
import { caseRowFields, caseRowItem } from './caseRowItem.js';
import { positionHeaders, positionNote } from './readModelHeaders.js';
import type { RouteAccess } from './routeAccess.js';

/** A queue's item: the names and types of `GET /cases` items (camelCase, booleans). */
const queueItem = z
  .object({ ...caseRowFields, waitingOn: z.enum(['agent', 'customer']) })
  .meta({ id: 'QueueItem' });
type QueueItem = z.infer<typeof queueItem>;

const toQueueItem = (row: CaseQueueTable): QueueItem => ({
  ...caseRowItem(row),
  waitingOn: row.waiting_on === 'agent' ? 'agent' : 'customer',
});

const day = z.iso.date();
const reportRow = z.object({
  offering: z.string(),
  line: z.string(),
  severity: z.string(),
  day: z.string(),
  opened: z.number(),
  firstResponses: z.number(),
  withinTarget: z.number(),
  breaches: z.number(),
  responseMedianMs: z.number().nullable(),
  responseP90Ms: z.number().nullable(),
  businessResponseMedianMs: z.number().nullable(),
  businessResponseP90Ms: z.number().nullable(),
  downgrades: z.number(),
  reopens: z.number(),
  surveys: z.number(),
  averageRating: z.number().nullable(),
});

/** CSV when the client lists text/csv before (or without) JSON in its Accept header. */
const wantsCsv = (accept: string | undefined): boolean => {
  if (accept === undefined) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const csv = types.indexOf('text/csv');
  const json = types.indexOf('application/json');
  return csv >= 0 && (json < 0 || csv < json);
};

const queueReaders: RouteAccess = {
  roles: ['agent', 'auditor', 'reporter', 'customer-admin', 'customer-user'],
  what: 'reading queues',
};
const reportReaders: RouteAccess = {
  roles: ['reporter', 'auditor', 'agent'],
  what: 'reading reports',
};

/** Queue views and the SLA report, read from the projections (eventually consistent). */
export const reportRoutes =
  (db: Kysely<ReadModelDatabase>): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.get(
      '/queues/:name',
      {
        config: { access: queueReaders },
        schema: {
          summary:
            'A queue view: agent (by due instant, breached first), awaiting-customer, breached, at-risk (targets whose at-risk warning was recorded, their clocks still running)',
          description: positionNote,
          tags: ['reports'],
          params: z.object({ name: z.enum(queueNames) }),
          querystring: z.strictObject({
            tenant: z.string().min(1).max(63).optional(),
            line: z.string().min(1).max(50).optional(),
            severity: z.enum(['A', 'B', 'C']).optional(),
            assignee: z.string().min(1).max(200).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          }),
          response: {
            200: z.object({
              queue: z.string(),
              items: z.array(queueItem),
              limit: z.number(),
              offset: z.number(),
            }),
          },
        },
      },
      async (request, reply) => {
        const actor = request.actor;
        // Customers see only their own tenant's cases, whatever they ask for.
        const tenant = 'tenant' in actor ? actor.tenant : request.query.tenant;
        const { limit, offset } = request.query;
        const { answer: rows, position } = await readWithPosition(db, caseQueue, (trx) =>
          queryQueue(trx, request.params.name, { ...request.query, tenant }),
        );
        positionHeaders(reply, position);
        return { queue: request.params.name, items: rows.map(toQueueItem), limit, offset };
      },
    );

    app.get(
      '/reports/sla',
      {
        config: { access: reportReaders },
        schema: {
          summary:
            'SLA compliance per offering, line, severity and day (JSON, or CSV with Accept: text/csv)',
          operationId: 'getSlaReport',
          description: positionNote,
          tags: ['reports'],
          querystring: z
            .strictObject({
              from: day,
              to: day,
              offering: z.string().min(1).max(50).optional(),
              line: z.string().min(1).max(50).optional(),
            })
            .refine((q) => q.from <= q.to, { message: 'from is after to', path: ['to'] }),
          response: { 200: z.object({ rows: z.array(reportRow) }) },
        },
      },
      async (request, reply) => {
        const { answer: rows, position } = await readWithPosition(db, slaCompliance, (trx) =>
          slaReport(trx, request.query),
        );
        positionHeaders(reply, position);
        if (wantsCsv(request.headers.accept)) {
          return reply.type('text/csv; charset=utf-8').send(slaReportCsv(rows) as never);
        }
        return { rows };
      },
    );
  };
