import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiConventions } from '../../src/http/openApiConventions.js';
import { operationIdOf } from '../../src/http/openApiOperationIds.js';
import { httpFixture, type HttpFixture } from '../specs/httpSpec.js';

/** Redocly's CLI, run with the Node running the tests (its package exposes no API). */
const redocly = join(
  dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')),
  'bin',
  'cli.js',
);

interface LintProblem {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
  readonly location: readonly { readonly pointer?: string }[];
}

interface Operation {
  operationId?: string;
  summary?: string;
  responses: Record<string, { $ref?: string; headers?: Record<string, unknown> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: {
    responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
  };
}

const run = (args: readonly string[], cwd: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [redocly, ...args], {
      cwd,
      // No telemetry, no update check: the lint reads the file and nothing else.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

let dir: string;

/** Every problem Redocly's recommended rules find in `document`, errors and warnings alike. */
const lint = async (document: unknown, name: string): Promise<LintProblem[]> => {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(document, null, 2));
  const { code, stdout, stderr } = await run(
    ['lint', file, '--extends', 'recommended', '--format', 'json'],
    dir,
  );
  let report: { problems: LintProblem[] };
  try {
    report = JSON.parse(stdout) as { problems: LintProblem[] };
  } catch {
    throw new Error(`redocly lint (exit ${code}) printed no report:\n${stdout}\n${stderr}`);
  }
  return report.problems;
};

const described = (problems: readonly LintProblem[]) =>
  problems.map(
    (p) =>
      `${p.severity} ${p.ruleId} at ${p.location.map((l) => l.pointer ?? '?').join(', ')}: ${p.message}`,
  );

const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, operation]) => ({ route: `${method} ${path}`, operation })),
  );

describe('the OpenAPI document', () => {
  let f: HttpFixture;
  let document: Document;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'docket-openapi-'));
    f = await httpFixture({ readModels: true });
    await f.app.ready();
    const served = await f.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(served.statusCode).toBe(200);
    document = served.json<Document>();
  });
  afterAll(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("passes Redocly's recommended rules with no problem, errors and warnings alike", async () => {
    expect(described(await lint(document, 'served'))).toEqual([]);
  });

  it('fails them when an operation loses its operationId, its summary or its problem responses', async () => {
    const broken = structuredClone(document);
    const [first, second, third] = operations(broken).map((o) => o.operation);
    delete first!.operationId;
    delete second!.summary;
    for (const status of Object.keys(third!.responses)) {
      if (status.startsWith('4')) delete third!.responses[status];
    }
    const rules = (await lint(broken, 'broken')).map((p) => p.ruleId);
    expect(rules).toContain('operation-operationId');
    expect(rules).toContain('operation-summary');
    expect(rules).toContain('operation-4xx-response');
  });

  it('names every operation once, in camelCase, and leaves the hidden routes out', () => {
    const ids = operations(document).map((o) => o.operation.operationId);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(['openCase', 'respondToCase', 'getCase', 'revokeToken', 'getQueue']),
    );
    for (const path of Object.keys(document.paths)) {
      expect(path).not.toMatch(/^\/(health|openapi\.json|docs)/);
    }
  });

  it('gives every operation its problem responses as application/problem+json', () => {
    for (const { route, operation } of operations(document)) {
      const problems = Object.entries(operation.responses).filter(([s]) => Number(s) >= 400);
      expect(
        problems.map(([s]) => s),
        route,
      ).toEqual(expect.arrayContaining(['401', '500']));
      for (const [, response] of problems) {
        const name = response.$ref!.replace('#/components/responses/', '');
        expect(document.components.responses[name]!.content['application/problem+json']).toEqual({
          schema: { $ref: '#/components/schemas/Problem' },
        });
      }
    }
    const responses = (path: string, method: string) => document.paths[path]![method]!.responses;
    expect(Object.keys(responses('/cases/{id}/respond', 'post'))).toEqual(
      expect.arrayContaining(['400', '401', '403', '404', '409', '413', '415', '422', '503']),
    );
    expect(Object.keys(responses('/offerings', 'get'))).not.toContain('403');
    expect(Object.keys(responses('/queues/{name}', 'get'))).not.toContain('404');
  });

  it('documents the headers the API answers with', () => {
    const headers = (path: string, method: string, status: string) =>
      Object.keys(document.paths[path]![method]!.responses[status]!.headers ?? {});
    expect(headers('/cases', 'post', '201')).toEqual(
      expect.arrayContaining(['Location', 'ETag', 'Idempotent-Replayed']),
    );
    expect(headers('/cases/{id}/resolve', 'post', '200')).toEqual(['ETag', 'Idempotent-Replayed']);
    expect(headers('/cases/{id}', 'get', '200')).toEqual(['ETag']);
    expect(headers('/reports/sla', 'get', '200')).toEqual([
      'Docket-Read-Model-Position',
      'Docket-Read-Model-Rebuilding',
    ]);
  });
});

describe('operationIds', () => {
  it('are derived from the method and path where a route gives none', () => {
    expect(operationIdOf('GET', '/cases/:id')).toBe('getCase');
    expect(operationIdOf('GET', '/cases/:id/events')).toBe('listCaseEvents');
    expect(operationIdOf('GET', '/cases/:id/history')).toBe('getCaseHistory');
    expect(operationIdOf('GET', '/offerings/:id/lines')).toBe('listOfferingLines');
    expect(operationIdOf('POST', '/tenants')).toBe('createTenant');
    expect(operationIdOf('PATCH', '/tenants/:id')).toBe('updateTenant');
    expect(operationIdOf('DELETE', '/tokens/:id')).toBe('deleteToken');
    expect(operationIdOf('POST', '/cases/:id/assign')).toBe('assignCase');
    expect(operationIdOf('POST', '/cases/:id/request-info')).toBe('requestInfoCase');
    expect(operationIdOf('GET', '/policies/:version/line-hours')).toBe('listPolicyLineHours');
  });

  it('are unique, or the app does not start', async () => {
    const app = Fastify();
    app.addHook('onRoute', openApiConventions().onRoute);
    app.get('/cases/:id', { schema: {} }, () => ({}));
    expect(() => app.get('/other', { schema: { operationId: 'getCase' } }, () => ({}))).toThrow(
      /operationId getCase of GET \/other is already GET \/cases\/:id's/,
    );
    await app.close();
  });
});
