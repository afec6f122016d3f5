import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../src/adapters/openTelemetry.js';
import { httpFixture, type HttpFixture } from '../specs/httpSpec.js';

/** A stand-in OTLP/HTTP collector: keeps what is posted to /v1/traces. */
const collector = async () => {
  const received: string[] = [];
  const paths: string[] = [];
  const read = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((request, response) => {
    paths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
    void read(request).then((body) => {
      received.push(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('OpenTelemetry tracing (OTLP over HTTP)', () => {
  let otlp: Awaited<ReturnType<typeof collector>>;
  let tracing: Tracing;
  let f: HttpFixture;
  const diagnostics: string[] = [];

  beforeAll(async () => {
    otlp = await collector();
    tracing = await startTracing({
      endpoint: otlp.url,
      serviceName: 'docket-test',
      onDiagnostic: (message) => diagnostics.push(message),
    });
    f = await httpFixture({ app: { tracing: tracing.plugin } });
  });
  afterAll(async () => {
    await f.close();
    await otlp.close();
  });

  it('exports a span per request, named by its route, continuing the caller’s trace', async () => {
    const id = await f.open();
    const res = await f.request('ada', {
      method: 'GET',
      url: `/cases/${id}`,
      headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    });
    expect(res.statusCode).toBe(200);
    await f.request(undefined, { method: 'GET', url: '/health' }); // probes make no span
    await tracing.shutdown(); // exports what is buffered, and waits for the collector's answer

    expect(otlp.paths.every((p) => p.startsWith('POST /v1/traces application/json'))).toBe(true);
    const spans = otlp.received
      .map((body) => JSON.parse(body) as ExportRequest)
      .flatMap((r) => r.resourceSpans)
      .flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) =>
          ss.spans.map((span) => ({ ...span, resource: rs.resource.attributes })),
        ),
      );
    const routeOf = (span: Span) => span.attributes.find((a) => a.key === 'http.route')?.value;
    const requests = spans.filter((s) => s.name === 'request');
    expect(requests.map((s) => routeOf(s)?.stringValue)).toEqual(['/cases', '/cases/:id']);
    const read = requests[1]!;
    expect(read.traceId).toBe(TRACE_ID);
    expect(read.attributes).toContainEqual({
      key: 'docket.request_id',
      value: { stringValue: TRACE_ID },
    });
    expect(read.resource).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'docket-test' },
    });
    expect(otlp.received.join('\n')).not.toContain('/health');
    expect(diagnostics).toEqual([]);
  });
});

interface Attribute {
  key: string;
  value: { stringValue?: string; intValue?: number };
}
interface Span {
  name: string;
  traceId: string;
  attributes: Attribute[];
}
interface ExportRequest {
  resourceSpans: Array<{
    resource: { attributes: Attribute[] };
    scopeSpans: Array<{ spans: Span[] }>;
  }>;
}
