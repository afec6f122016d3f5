import type { FastifyPluginAsync } from 'fastify';
import type { Readiness } from '../application/readiness.js';

/** What `GET /metrics` serves (src/adapters/prometheusMetrics.ts). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface OpsRoutesOptions {
  readonly readiness: Readiness;
  /** Absent: `/metrics` is not served. */
  readonly metrics?: MetricsSource | undefined;
  /**
   * `Retry-After` of a not-ready answer, in seconds.
   * @defaultValue 5
   */
  readonly retryAfterSeconds?: number;
}

/** The paths of the operations routes (kept out of access logs and traces). */
export const opsPaths: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/** Public, out of the OpenAPI document: for load balancers, orchestrators and Prometheus. */
const ops = { config: { public: true }, schema: { hide: true } } as const;

/**
 * `GET /health` (liveness: the process answers), `GET /ready` (every readiness check passes:
 * 200 with the checks, else 503 `not-ready` naming each failing check's reason, with
 * `Retry-After`) and `GET /metrics` (Prometheus text). docs/operations.md describes them.
 */
export const opsRoutes =
  (options: OpsRoutesOptions): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify's plugin shape
  async (app) => {
    const retryAfter = String(options.retryAfterSeconds ?? 5);
    app.get('/health', ops, (_request, reply) =>
      reply.header('cache-control', 'no-store').send({ status: 'ok' }),
    );
    app.get('/ready', ops, async (request, reply) => {
      const { ready, checks } = await options.readiness.evaluate();
      void reply.header('cache-control', 'no-store');
      if (ready) return reply.send({ status: 'ready', checks });
      const failing = checks.filter((c) => !c.ready);
      return reply
        .code(503)
        .header('retry-after', retryAfter)
        .type('application/problem+json')
        .send({
          type: 'urn:docket:problem:not-ready',
          title: 'Not ready',
          status: 503,
          detail: `not ready: ${failing.map((c) => `${c.name}: ${c.reason ?? 'not ready'}`).join('; ')}`,
          code: 'not-ready',
          instance: request.url,
          checks,
        });
    });
    const metrics = options.metrics;
    if (metrics !== undefined)
      app.get('/metrics', ops, async (_request, reply) => {
        const text = await metrics.metrics();
        return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
      });
  };
