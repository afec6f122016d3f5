import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WhatifPolicy } from '../application/whatif/replayCaseStreams.js';
import { parseRangeBound } from '../application/whatif/rangeBound.js';
import { recordedPolicies } from '../application/whatif/recordedPolicies.js';
import { WhatifJobs, type WhatifJobView } from '../application/whatif/whatifJobs.js';
import { notFound, validationError } from '../domain/docketError.js';
import { parsePolicy } from '../domain/policy/policy.js';
import type { DocketServices } from '../application/docketServices.js';
import type { RouteAccess } from './routeAccess.js';

const figures = z.object({
  cases: z.number(),
  firstResponses: z.number(),
  withinTarget: z.number(),
  breaches: z.number(),
  downgrades: z.number(),
  nonresponseResolutions: z.number(),
  autoCloses: z.number(),
  medianResponseBusinessMs: z.number().nullable(),
  p90ResponseBusinessMs: z.number().nullable(),
});
const group = z.object({
  offering: z.string(),
  line: z.string(),
  severity: z.string(),
  before: figures,
  after: figures,
});
const report = z.object({
  policy: z.string(),
  asOf: z.object({ position: z.string(), at: z.string() }).nullable(),
  filter: z.object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    tenant: z.string().nullable(),
    offering: z.string().nullable(),
  }),
  note: z.string(),
  overall: group,
  groups: z.array(group),
  changed: z.array(
    z.object({
      caseId: z.string(),
      offering: z.string(),
      line: z.string(),
      severity: z.string(),
      changes: z.array(
        z.object({
          what: z.string(),
          before: z.union([z.string(), z.number(), z.boolean()]),
          after: z.union([z.string(), z.number(), z.boolean()]),
          at: z.string(),
        }),
      ),
    }),
  ),
  refused: z.object({
    count: z.number(),
    commands: z.array(
      z.object({
        caseId: z.string(),
        command: z.string(),
        at: z.string(),
        code: z.string(),
        message: z.string(),
        skipped: z.number().optional(),
      }),
    ),
  }),
});
const jobView = z.object({
  job: z.string(),
  state: z.enum(['queued', 'running', 'done', 'failed']),
  queuedAt: z.string(),
  finishedAt: z.string().nullable(),
  progress: z.object({
    eventsRead: z.number(),
    casesReplayed: z.number(),
    totalEvents: z.number().nullable(),
  }),
  report: report.nullable(),
  error: z.string().nullable(),
});
const bound = z
  .string()
  .max(40)
  .describe('A day (YYYY-MM-DD, from 00:00 UTC) or an ISO 8601 instant');
const whatifBody = z.strictObject({
  policy: z
    .union([z.literal('recorded'), z.record(z.string(), z.unknown())])
    .describe('A candidate policy (the policy file, inline), or `recorded`'),
  from: bound.optional().describe('Cases opened from here (inclusive)'),
  to: bound.optional().describe('Cases opened before here (exclusive)'),
  tenant: z.string().min(1).max(63).optional(),
  offering: z.string().min(1).max(50).optional(),
});

/** The schema's arrays are mutable, the view's readonly: the same JSON. */
const asJobView = (view: WhatifJobView) => view as z.infer<typeof jobView>;

const policyOwners: RouteAccess = { roles: ['admin'], what: 'policy what-if runs' };

const rangeBound = (text: string | undefined, name: 'from' | 'to') => {
  if (text === undefined) return undefined;
  const ms = parseRangeBound(text);
  if (ms === undefined) {
    const message = 'a day (YYYY-MM-DD) or an ISO 8601 instant with an offset';
    throw validationError(`invalid body: ${name}`, [{ path: `body.${name}`, message }]);
  }
  return ms;
};

/**
 * `POST /policy/whatif`: replays the recorded cases of a range under a candidate policy (or
 * the recorded versions) as a job of this process, answered at once (202) with the job;
 * `GET /policy/whatif/{job}` shows its progress, then its report (docs/whatif.md).
 */
export const whatifRoutes =
  ({ store, clock }: Pick<DocketServices, 'store' | 'clock'>): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));
    const jobs = new WhatifJobs(store, clock, { yieldNow });
    app.post(
      '/policy/whatif',
      {
        config: { access: policyOwners },
        schema: {
          summary: 'Replay recorded cases under a candidate policy and compare (a job)',
          operationId: 'startPolicyWhatif',
          tags: ['admin'],
          body: whatifBody,
          response: { 202: jobView },
        },
      },
      async (request, reply) => {
        const { body } = request;
        const from = rangeBound(body.from, 'from');
        const to = rangeBound(body.to, 'to');
        if (from !== undefined && to !== undefined && from >= to)
          throw validationError('invalid body: from', [
            { path: 'body.from', message: 'must be before `to`' },
          ]);
        let policy: WhatifPolicy;
        if (body.policy === 'recorded') {
          policy = { kind: 'recorded', byVersion: await recordedPolicies(store) };
        } else {
          const parsed = parsePolicy(body.policy);
          if (!parsed.ok) {
            const issues = parsed.error.issues.map((i) => ({
              ...i,
              path: `body.policy.${i.path}`,
            }));
            throw validationError(`invalid body: policy: ${parsed.error.message}`, issues);
          }
          policy = { kind: 'candidate', policy: parsed.value };
        }
        const { tenant, offering } = body;
        return reply.code(202).send(asJobView(jobs.start({ policy, from, to, tenant, offering })));
      },
    );
    app.get(
      '/policy/whatif/:job',
      {
        config: { access: policyOwners },
        schema: {
          summary: 'A what-if job: its progress, then its report',
          operationId: 'getPolicyWhatif',
          tags: ['admin'],
          params: z.object({ job: z.uuid() }),
          response: { 200: jobView },
        },
      },
      (request) => {
        const view = jobs.get(request.params.job);
        if (view === undefined) throw notFound(`what-if job ${request.params.job} not found`);
        return asJobView(view);
      },
    );
  };
