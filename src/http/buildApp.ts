import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyPluginCallback,
  type FastifyServerOptions,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import type { DocketServices } from '../application/docketServices.js';
import { Readiness } from '../application/readiness.js';
import { adminRoutes } from './adminRoutes.js';
import { auditRoutes } from './auditRoutes.js';
import { authenticate } from './authenticate.js';
import { caseFeedRoutes } from './caseFeedRoutes.js';
import { caseListRoutes } from './caseListRoutes.js';
import { caseRoutes } from './caseRoutes.js';
import { builtConsoleDir, consoleRoutes } from './consoleRoutes.js';
import { directoryRoutes } from './directoryRoutes.js';
import { meRoutes } from './meRoutes.js';
import { policyRoutes } from './policyRoutes.js';
import { answerNodeRefusals, clientErrorHandler, requireHost } from './nodeRefusals.js';
import { openApiConventions } from './openApiConventions.js';
import { opsPaths, opsRoutes, type MetricsSource } from './opsRoutes.js';
import { problem, sendProblem, toProblem } from './problem.js';
import { projectionRoutes } from './projectionRoutes.js';
import { reportRoutes } from './reportRoutes.js';
import { echoRequestIds, requestId } from './requestIds.js';
import { routeAccess } from './routeAccess.js';
import { mailRoutes, type MailRoutesOptions } from './mailRoutes.js';
import { webhookRoutes, type WebhookRoutesOptions } from './webhookRoutes.js';
import { whatifRoutes } from './whatifRoutes.js';

export interface AppOptions {
  /** Largest accepted request body, in bytes. @defaultValue 262144 */
  readonly bodyLimit?: number;
  readonly logger?: FastifyServerOptions['logger'];
  /** The read models behind `/queues` and `/reports` (absent: those routes are not served). */
  readonly readModels?: Kysely<ReadModelDatabase>;
  /** What `GET /ready` asks (none: always ready). */
  readonly readiness?: Readiness;
  /** What `GET /metrics` serves (absent: not served). */
  readonly metrics?: MetricsSource;
  /** A log line per request and response, except `/health`, `/ready`, `/metrics`. @defaultValue false */
  readonly accessLog?: boolean;
  /** Registered before every route: tracing (`@fastify/otel`, src/adapters/openTelemetry.ts). */
  readonly tracing?: FastifyPluginCallback;
  /** Webhook endpoints and their delivery log (absent: `/webhooks` is not served). */
  readonly webhooks?: WebhookRoutesOptions;
  /** The e-mail delivery log (absent: `/mail/deliveries` is not served). */
  readonly mail?: MailRoutesOptions;
  /** The built console served at `/console` (false: not served). @defaultValue dist/console */
  readonly consoleDir?: string | false;
}

/** The HTTP API over the application services: routes, authentication, problem details, OpenAPI. */
export const buildApp = async (
  services: DocketServices,
  options: AppOptions = {},
): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 262_144,
    // Access logs at thousands of commands per second cost more than they tell, so they are off
    // unless asked for (DOCKET_ACCESS_LOG); errors are always logged.
    logController: new LogController({
      disableRequestLogging:
        options.accessLog === true ? (request) => opsPaths.has(request.url) : true,
    }),
    genReqId: requestId,
    requestTimeout: 30_000,
    // Shutdown is handled below, so that refusals are problem details too.
    return503OnClosing: false,
    // The longest legal path parameter is a case id (128); longer ones are refused as invalid.
    routerOptions: { maxParamLength: 128 },
    // Malformed percent-encoding and over-long path parameters never reach a route or the error
    // handler: answer them with problems too (Fastify's default is a plain JSON body).
    frameworkErrors: (error, request, reply) => {
      const body = toProblem(error);
      if (body.status >= 500) request.log.error({ err: error }, 'request failed');
      void reply.header('x-request-id', request.id);
      void sendProblem(reply, body, request);
    },
    // What Node's HTTP parser refuses (bad request line, header too large, timeout) is a problem
    // document too, written on the socket; so are a missing Host header and an unmet `Expect`.
    clientErrorHandler,
    http: { requireHostHeader: false },
  });
  answerNodeRefusals(app.server);
  if (options.tracing !== undefined) await app.register(options.tracing);
  echoRequestIds(app);
  // A body is JSON or nothing. Without Fastify's text/plain parser every other media type,
  // `+json` ones included, is refused with 415 before validation (JSON sent as text/plain would
  // reach the schemas as a string, a 400).
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API (OpenAPI) but are not re-checked on every response: the
  // views are built by typed functions, tests check them against the same schemas, and
  // encoding each response through zod cost 10-15% of throughput in bench/http.bench.ts.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // operationIds, problem responses, response headers, servers and tags for every documented
  // route, in one place: the hook names each route as it is added (before the routes below).
  const openApi = openApiConventions();
  app.addHook('onRoute', openApi.onRoute);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Docket',
        description:
          'Event-sourced case workflow engine for SLA-bound support. Errors are RFC 9457 problem details with a stable `code`.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token: `docket tokens create`, or `POST /tokens` as an admin',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => openApi.transformObject(jsonSchemaTransformObject(document)),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  // Before routeAccess: its files are public (they hold no data) and declare no access.
  const consoleDir = options.consoleDir ?? builtConsoleDir();
  if (consoleDir !== false) await consoleRoutes(app, consoleDir);

  app.setErrorHandler((error, request, reply) => {
    const body = toProblem(error);
    if (body.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, body, request);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem('not-found', `no route ${request.method} ${request.url}`), request),
  );

  // Graceful shutdown: requests in flight finish; each response then closes its connection
  // (an idle keep-alive connection would hold close() for the keep-alive timeout); requests
  // that arrive meanwhile are told to come back.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    void reply.header('retry-after', '1');
    await sendProblem(reply, problem('unavailable', 'the server is shutting down; retry'), request);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });

  app.addHook('onRequest', requireHost);
  authenticate(app, services.tokens);
  routeAccess(app, services.cases);

  await app.register(
    opsRoutes({ readiness: options.readiness ?? new Readiness(), metrics: options.metrics }),
  );
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, () =>
    app.swagger(),
  );
  await app.register(meRoutes(services.tenants));
  await app.register(caseRoutes(services));
  await app.register(auditRoutes(services.rawStore));
  await app.register(caseFeedRoutes(services.store, services.cases));
  if (options.readModels !== undefined) await app.register(caseListRoutes(options.readModels));
  await app.register(directoryRoutes(services.policies, services.clock));
  await app.register(policyRoutes(services.policies, services.clock));
  await app.register(adminRoutes(services.tenants, services.tokens));
  await app.register(whatifRoutes(services));
  if (options.readModels !== undefined) await app.register(reportRoutes(options.readModels));
  if (options.readModels !== undefined)
    await app.register(projectionRoutes(options.readModels, services.store));
  if (options.webhooks !== undefined) await app.register(webhookRoutes(options.webhooks));
  if (options.mail !== undefined) await app.register(mailRoutes(options.mail));
  return app;
};
