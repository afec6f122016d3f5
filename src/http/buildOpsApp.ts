import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Readiness } from '../application/readiness.js';
import { opsRoutes, type MetricsSource } from './opsRoutes.js';
import { problem, sendProblem, toProblem } from './problem.js';
import { echoRequestIds, requestId } from './requestIds.js';

export interface OpsAppOptions {
  readonly readiness: Readiness;
  readonly metrics?: MetricsSource | undefined;
  readonly logger?: FastifyServerOptions['logger'];
}

/**
 * The operations routes alone (`/health`, `/ready`, `/metrics`), for a process that serves no
 * API (`docket serve --roles timers`, `projector`): request ids and problem documents as the
 * API has them, no authentication (the routes are public) and no access log.
 */
export const buildOpsApp = async (options: OpsAppOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    requestTimeout: 30_000,
  });
  echoRequestIds(app);
  app.setErrorHandler((error, request, reply) => {
    const body = toProblem(error);
    if (body.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, body, request);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem('not-found', `no route ${request.method} ${request.url}`), request),
  );
  await app.register(opsRoutes({ readiness: options.readiness, metrics: options.metrics }));
  return app;
};
