import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { caseList } from '../../projections/caseList.js';
import { hasDeadline, queryCaseList, caseListSorts } from '../../projections/caseListQuery.js';
import type { CaseListTable } from '../../projections/caseListTable.js';
import { readWithPosition } from '../../projections/projectionPositions.js';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import { isCustomer } from '../domain/actor.js';
import { caseStates } from '../domain/case/caseLifecycle.js';
import { formatInstant, isoInstantSchema, parseInstant } from '../domain/instant.js';
import { decodeCursor, encodeCursor } from './caseListCursor.js';
import { caseRowFields, caseRowItem } from './caseRowItem.js';
import { positionHeaders, positionNote } from './readModelHeaders.js';
import type { RouteAccess } from './routeAccess.js';

const flag = z.enum(['true', 'false']);
const isTrue = (v: 'true' | 'false' | undefined) => (v === undefined ? undefined : v === 'true');
const utc = (iso: string | undefined) =>
  iso === undefined ? undefined : formatInstant(parseInstant(iso));

const listQuery = z.strictObject({
  state: z
    .string()
    .max(200)
    .regex(new RegExp(`^(${caseStates.join('|')})(,(${caseStates.join('|')}))*$`), {
      message: `states, comma-separated: ${caseStates.join(', ')}`,
    })
    .optional()
    .describe('one or more states, comma-separated'),
  severity: z.enum(['A', 'B', 'C']).optional(),
  line: z.string().min(1).max(50).optional(),
  offering: z.string().min(1).max(50).optional(),
  tenant: z.string().min(1).max(63).optional().describe('customers: always their own'),
  assignee: z.string().min(1).max(200).optional(),
  unassigned: flag.optional().describe('true: no assignee; false: an assignee'),
  breached: flag.optional().describe('the initial-response clock recorded a breach'),
  atRisk: flag
    .optional()
    .describe(
      "a target's clock used its policy's at-risk share of business time and still runs (SlaTargetAtRisk recorded)",
    ),
  awaitingCustomer: flag.optional().describe('awaitingCustomer or downgraded'),
  openedFrom: isoInstantSchema.optional(),
  openedTo: isoInstantSchema.optional(),
  q: z.string().trim().min(1).max(200).optional().describe('text the title contains (any case)'),
  sort: z
    .enum(caseListSorts)
    .default('due')
    .describe('due: soonest running deadline first, none last; updated: latest change first'),
  cursor: z.string().max(1_000).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const listItem = z
  .object({
    ...caseRowFields,
    dueAt: z.string().nullable().describe('the running deadline (null: none runs)'),
    waitingOn: z.enum(['agent', 'customer', 'nobody']),
    closedAt: z.string().nullable(),
  })
  .meta({ id: 'CaseListItem' });
type ListItem = z.infer<typeof listItem>;

const item = (row: CaseListTable): ListItem => ({
  ...caseRowItem(row),
  dueAt: hasDeadline(row) ? row.due_at : null,
  waitingOn: row.state === 'closed' ? 'nobody' : row.waiting_on === 'agent' ? 'agent' : 'customer',
  closedAt: row.closed_at,
});

const listReaders: RouteAccess = {
  roles: ['agent', 'auditor', 'reporter', 'customer-admin', 'customer-user'],
  what: 'listing cases',
};

/** `GET /cases`: every case the caller may see, filtered and paged, from the `case-list` read model. */
export const caseListRoutes =
  (db: Kysely<ReadModelDatabase>): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.get(
      '/cases',
      {
        config: { access: listReaders },
        schema: {
          summary: 'List and search cases (customers: their tenant’s, closed ones too)',
          description: positionNote,
          tags: ['cases'],
          querystring: listQuery,
          response: {
            200: z.object({
              items: z.array(listItem),
              nextCursor: z.string().nullable().describe('null: this was the last page'),
            }),
          },
        },
      },
      async (request, reply) => {
        const { query, actor } = request;
        const after = decodeCursor(query.cursor, query.sort);
        const { answer, position } = await readWithPosition(db, caseList, (trx) =>
          queryCaseList(trx, {
            states: query.state?.split(','),
            severity: query.severity,
            line: query.line,
            offering: query.offering,
            // Customers see only their own tenant's cases, whatever they ask for.
            tenant: isCustomer(actor) ? actor.tenant : query.tenant,
            assignee: query.assignee,
            unassigned: isTrue(query.unassigned),
            breached: isTrue(query.breached),
            atRisk: isTrue(query.atRisk),
            awaitingCustomer: isTrue(query.awaitingCustomer),
            openedFrom: utc(query.openedFrom),
            openedTo: utc(query.openedTo),
            text: query.q,
            sort: query.sort,
            after,
            limit: query.limit,
          }),
        );
        positionHeaders(reply, position);
        return {
          items: answer.rows.map(item),
          nextCursor: answer.next === undefined ? null : encodeCursor(answer.next, query.sort),
        };
      },
    );
  };
