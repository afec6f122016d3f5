import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorRoles } from '../domain/actor.js';
import { anyCaller } from './routeAccess.js';

/** `GET /me`: who the token is, so a client (the console) shows that person's views. */
export const meRoutes: FastifyPluginAsyncZod =
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
            }),
          },
        },
      },
      (request) => {
        const { actor } = request;
        return {
          role: actor.role,
          name: actor.id,
          tenant: 'tenant' in actor ? actor.tenant : null,
        };
      },
    );
  };
