import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PolicyRegistry } from '../application/policyRegistry.js';
import type { Clock } from '../domain/clock.js';
import { policyHorizonWarnings } from '../domain/policy/policyHorizons.js';
import { anyCaller } from './routeAccess.js';

/** A window `[from, to]` in local wall-clock time (an array of two: a tuple reads badly in OpenAPI). */
const window = z.array(z.string()).length(2);
const horizonWarning = z.object({
  code: z.string(),
  calendar: z.string(),
  knownThrough: z.string().optional(),
  message: z.string(),
});

/**
 * The policy in force, read-only, as support desks publish theirs: its version and targets
 * (`GET /policy`) and its calendars with their holiday data and its horizon (`GET /calendars`).
 * Nothing here is a tenant's: every caller may read it.
 */
export const policyRoutes =
  (policies: PolicyRegistry, clock: Clock): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.get(
      '/policy',
      {
        config: { access: anyCaller },
        schema: {
          summary: 'The policy in force: its version, targets, calendars and auto-close rule',
          description:
            'The document the service enforces for new cases (the latest version adopted in the ' +
            'log). Cases keep the version they were opened under (`policyVersion` on the case).',
          tags: ['directory'],
          response: {
            200: z.object({
              version: z.string(),
              policy: z.record(z.string(), z.unknown()),
            }),
          },
        },
      },
      () => {
        const policy = policies.current;
        return { version: policy.version, policy: { ...policy } };
      },
    );

    app.get(
      '/calendars',
      {
        config: { access: anyCaller },
        schema: {
          summary: 'The calendars of the policy in force, with their holiday data and its horizon',
          tags: ['directory'],
          response: {
            200: z.object({
              policyVersion: z.string(),
              calendars: z.array(
                z.object({
                  id: z.string(),
                  zone: z.string(),
                  week: z.record(z.string(), z.array(window)),
                  closedDates: z.array(z.string()),
                  extraOpenDates: z.array(
                    z.object({ date: z.string(), windows: z.array(window).optional() }),
                  ),
                  holidaysKnownThrough: z.string().nullable(),
                  businessDayHours: z.number().nullable(),
                  note: z.string().optional(),
                }),
              ),
              warnings: z.array(horizonWarning),
            }),
          },
        },
      },
      () => {
        const policy = policies.current;
        return {
          policyVersion: policy.version,
          calendars: Object.entries(policy.calendars).map(([id, c]) => ({
            id,
            zone: c.zone,
            week: Object.fromEntries(
              Object.entries(c.week).filter(
                (entry): entry is [string, [string, string][]] => entry[1] !== undefined,
              ),
            ),
            closedDates: c.closedDates,
            extraOpenDates: c.extraOpenDates,
            holidaysKnownThrough: c.holidaysKnownThrough ?? null,
            businessDayHours: c.businessDayHours ?? null,
            ...(c.note === undefined ? {} : { note: c.note }),
          })),
          warnings: policyHorizonWarnings(policy, clock.now()),
        };
      },
    );
  };
