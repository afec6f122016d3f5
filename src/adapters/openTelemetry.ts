import type { FastifyPluginCallback } from 'fastify';
import { opsPaths } from '../http/opsRoutes.js';

export interface TracingOptions {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  readonly endpoint: string;
  /** `OTEL_SERVICE_NAME`. */
  readonly serviceName: string;
  /**
   * Request paths that make no span (probes and scrapes).
   * @defaultValue `/health`, `/ready`, `/metrics`
   */
  readonly ignorePaths?: ReadonlySet<string>;
  /** Told of the SDK's own errors and warnings (a collector that cannot be reached, …). */
  readonly onDiagnostic?: (message: string) => void;
}

export interface Tracing {
  /** `@fastify/otel`'s plugin: register it on an app before its routes (`buildApp`'s `tracing`). */
  readonly plugin: FastifyPluginCallback;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK with an OTLP/HTTP (JSON) trace exporter and returns the
 * `@fastify/otel` plugin that makes a span per request, named by its route and continuing the
 * caller's `traceparent`. Traces only: metrics are Prometheus's (`/metrics`), and the SDK's
 * metric and log exporters stay off. The packages are imported here, on demand: a service
 * without `OTEL_EXPORTER_OTLP_ENDPOINT` never loads them. One SDK per process (it registers the
 * global tracer provider).
 */
export const startTracing = async (options: TracingOptions): Promise<Tracing> => {
  const [
    { diag, DiagLogLevel },
    { NodeSDK },
    { OTLPTraceExporter },
    { FastifyOtelInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@fastify/otel'),
  ]);
  const onDiagnostic = options.onDiagnostic;
  if (onDiagnostic !== undefined) {
    const say = (message: string, ...args: unknown[]) =>
      onDiagnostic([message, ...args.map(String)].join(' '));
    const quiet = () => undefined;
    diag.setLogger(
      { error: say, warn: say, info: quiet, debug: quiet, verbose: quiet },
      DiagLogLevel.WARN,
    );
  }
  const ignored = options.ignorePaths ?? opsPaths;
  const instrumentation = new FastifyOtelInstrumentation({
    ignorePaths: ({ url }) => ignored.has(url.split('?', 1)[0] ?? url),
    // The request id (X-Request-Id, or the traceparent's trace id) ties a span to its log lines.
    requestHook: (span, request) => span.setAttribute('docket.request_id', request.id),
  });
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    traceExporter: new OTLPTraceExporter({
      url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces`,
    }),
    instrumentations: [instrumentation],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { plugin: instrumentation.plugin(), shutdown: () => sdk.shutdown() };
};
