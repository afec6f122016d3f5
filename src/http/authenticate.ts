import type { FastifyInstance } from 'fastify';
import type { Actor } from '../domain/actor.js';
import type { TokenRegistry } from '../application/tokenRegistry.js';
import { CONSOLE_PREFIX } from './consoleRoutes.js';
import { problem, sendProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller (set on every route that is not public). */
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** Served without a token: health and the API description, never case data. */
    public?: boolean;
  }
}

const BEARER = /^Bearer\s+(\S{1,512})$/i;

const publicPrefixes = ['/docs', CONSOLE_PREFIX];
const isPublicPath = (url: string | undefined) =>
  url !== undefined && publicPrefixes.some((p) => url === p || url.startsWith(`${p}/`));

/**
 * Every request needs `Authorization: Bearer <token>` unless its route is public: routes marked
 * `config.public`, the API browser under `/docs` (the API's description, no data) and the
 * console's static files under `/console` (no data either: it calls the API with a token).
 */
export const authenticate = (app: FastifyInstance, tokens: TokenRegistry): void => {
  app.decorateRequest('actor', null as never);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions;
    if (route.config.public === true || isPublicPath(route.url)) return;
    const header = request.headers.authorization;
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    const actor = token === undefined ? undefined : await tokens.authenticate(token);
    if (actor === undefined) {
      void reply.header('www-authenticate', 'Bearer realm="docket"');
      return sendProblem(
        reply,
        problem(
          'unauthenticated',
          header === undefined
            ? 'send an API token: Authorization: Bearer <token> (an admin issues them with `docket tokens create`)'
            : 'the API token is not valid or has been revoked',
        ),
        request,
      );
    }
    request.actor = actor;
  });
};
