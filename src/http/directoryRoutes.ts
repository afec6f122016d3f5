import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { linesAt } from '../application/supportDirectory.js';
import type { PolicyRegistry } from '../application/policyRegistry.js';
import type { Clock } from '../domain/clock.js';
import { isoInstantSchema, parseInstant } from '../domain/instant.js';
import { anyCaller } from './routeAccess.js';

const phone = z.object({
  label: z.string(),
  number: z.string(),
  region: z.string().optional(),
  note: z.string().optional(),
});

/** The support directory of the policy in force: offerings, lines, hours, phone numbers. */
export const directoryRoutes =
  (policies: PolicyRegistry, clock: Clock): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.get(
      '/offerings',
      {
        config: { access: anyCaller },
        schema: {
          summary: 'Offerings and their support lines',
          tags: ['directory'],
          response: {
            200: z.object({
              policyVersion: z.string(),
              offerings: z.array(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  zone: z.string(),
                  regions: z.array(z.string()),
                  lines: z.array(
                    z.object({
                      id: z.string(),
                      name: z.string(),
                      languages: z.array(z.string()),
                      phones: z.array(phone),
                      categories: z.array(z.string()),
                    }),
                  ),
                }),
              ),
            }),
          },
        },
      },
      () => {
        const policy = policies.current;
        return {
          policyVersion: policy.version,
          offerings: Object.entries(policy.offerings).map(([id, o]) => ({
            id,
            name: o.name,
            zone: o.zone,
            regions: o.regions ?? [],
            lines: Object.entries(o.lines).map(([lineId, line]) => ({
              id: lineId,
              name: line.name,
              languages: line.languages,
              phones: line.phones,
              categories: line.categories,
            })),
          })),
        };
      },
    );

    app.get(
      '/offerings/:id/lines',
      {
        config: { access: anyCaller },
        schema: {
          summary: 'Which lines of an offering are open at an instant (default: now)',
          tags: ['directory'],
          params: z.object({ id: z.string().min(1).max(100) }),
          querystring: z.strictObject({
            at: isoInstantSchema.optional(),
            region: z.string().min(1).max(20).optional(),
          }),
          response: {
            200: z.object({
              offering: z.string(),
              at: z.string(),
              lines: z.array(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  languages: z.array(z.string()),
                  phones: z.array(phone),
                  severities: z.array(z.string()),
                  open: z.boolean(),
                  opensAt: z.string(),
                }),
              ),
            }),
          },
        },
      },
      (request) => {
        const at = request.query.at === undefined ? clock.now() : parseInstant(request.query.at);
        const lines = linesAt(policies.current, request.params.id, at, request.query.region);
        if (!lines.ok) throw lines.error;
        return { offering: request.params.id, at: new Date(at).toISOString(), lines: lines.value };
      },
    );
  };
