import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { allProjections } from '../../projections/allProjections.js';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import type { EventStore } from '../application/eventStore.js';
import { projectionStatus } from '../application/projectionStatus.js';
import type { RouteAccess } from './routeAccess.js';

const projectionView = z.object({
  name: z.string(),
  version: z.number(),
  position: z.number(),
  head: z.number(),
  lag: z.number(),
  rebuilding: z.boolean(),
  updatedAt: z.string().nullable(),
});

const readers: RouteAccess = {
  roles: ['agent', 'auditor', 'reporter', 'admin'],
  what: "reading the projections' status",
};

/** How far each read model has applied the log, and whether it is being rebuilt. */
export const projectionRoutes =
  (db: Kysely<ReadModelDatabase>, store: EventStore): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.get(
      '/projections',
      {
        config: { access: readers },
        schema: {
          summary:
            "Each read model's applied log position, the log head, the lag, and whether a rebuild is running",
          tags: ['reports'],
          response: { 200: z.object({ projections: z.array(projectionView) }) },
        },
      },
      async () => ({ projections: await projectionStatus(db, allProjections, store) }),
    );
  };
