import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TenantDirectory } from '../application/tenantDirectory.js';
import { actorRoles, isCustomer } from '../domain/actor.js';
import { anyCaller } from './routeAccess.js';

/** `GET /me`: who the token is, so a client (the console) shows that person's views. */
export const meRoutes =
  (tenants: TenantDirectory): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.get(
      '/me',
      {
        config: { access: anyCaller },
        schema: {
          summary: 'The caller: role, name and tenant of the token sent',
          tags: ['directory'],
          response: {
            200: z.object({
              role: z.enum(actorRoles),
              name: z.string(),
              tenant: z.string().nullable().describe('customer roles: the tenant they belong to'),
              offering: z.string().nullable().describe("customer roles: their tenant's offering"),
            }),
          },
        },
      },
      async (request) => {
        const { actor } = request;
        const tenant = isCustomer(actor) ? await tenants.get(actor.tenant) : undefined;
        return {
          role: actor.role,
          name: actor.id,
          tenant: isCustomer(actor) ? actor.tenant : null,
          offering: tenant?.offering ?? null,
        };
      },
    );
  };
