import type { RouteOptions } from 'fastify';
import type { SwaggerTransformObject } from '@fastify/swagger';
import { problem, type ProblemCode } from './problem.js';
import { operationIdOf } from './openApiOperationIds.js';
import { anyCaller, type RouteAccess } from './routeAccess.js';

/*
 * Over 300 lines, on purpose: one transform over one document, whose parts (problem responses,
 * headers, tags, unused components) read the same route facts; the operationId rule stands
 * alone in ./openApiOperationIds.ts.
 *
 * The conventions of the OpenAPI document, applied in one place to every documented route so
 * that the routes only say what is theirs (schemas, a summary, a tag, who may call them):
 *
 * - every operation has an `operationId`: the route's own `schema.operationId` where it gives
 *   one, else one derived from its method and path (`operationIdOf`); they are unique, or the
 *   app does not start;
 * - every operation lists the problem responses (`application/problem+json`, the `Problem`
 *   schema of ./problem.ts) it can give, deduced from what the route declares (who may call it,
 *   its parameters and body: `problemStatusesOf`), and the headers its responses carry;
 * - the document has `servers` (relative: wherever it is served from), a licence, a description
 *   for each tag, and no component that nothing uses.
 *
 * `test/http/openApi.e2e.test.ts` lints the served document with Redocly's recommended rules.
 */

/** Just enough of an OpenAPI 3.0 document to fill it in. */
interface Reference {
  readonly $ref: string;
}
interface Parameter {
  readonly in: string;
  readonly name: string;
  readonly schema?: { readonly enum?: readonly unknown[] };
}
interface Response {
  description: string;
  headers?: Record<string, Reference>;
  content?: Record<string, unknown>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: unknown;
  responses: Record<string, Response | Reference>;
  security?: unknown[];
}
interface Components {
  schemas?: Record<string, unknown>;
  responses?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  [section: string]: Record<string, unknown> | undefined;
}
interface Document {
  info: { license?: unknown };
  servers?: unknown[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: Components;
}

/** What the document needs to know about a route beyond its schema. */
interface DocumentedRoute {
  readonly method: string;
  /** Fastify's form: `/cases/:id`. */
  readonly url: string;
  readonly access: RouteAccess | undefined;
  readonly public: boolean;
}

export interface OpenApiConventions {
  /** An `onRoute` hook: add it before the routes. Names each documented route and remembers it. */
  readonly onRoute: (route: RouteOptions) => void;
  /** The document as generated (by `jsonSchemaTransformObject`), with the conventions applied. */
  readonly transformObject: (
    generated: ReturnType<SwaggerTransformObject>,
  ) => ReturnType<SwaggerTransformObject>;
}

/** Every problem code, each once (the compiler checks the list against `ProblemCode`). */
const problemCodes = Object.keys({
  validation: null,
  'bad-request': null,
  unauthenticated: null,
  forbidden: null,
  'not-found': null,
  'request-timeout': null,
  conflict: null,
  'invalid-transition': null,
  'payload-too-large': null,
  'unsupported-media-type': null,
  'expectation-failed': null,
  'severity-not-offered': null,
  'policy-invalid': null,
  'idempotency-key-reused': null,
  'request-header-too-large': null,
  internal: null,
  unavailable: null,
} satisfies Record<ProblemCode, null>) as ProblemCode[];

/** The `Problem` schema: RFC 9457 problem details with Docket's extensions, as ./problem.ts. */
const problemSchema = {
  type: 'object',
  description:
    'An RFC 9457 problem details document with a stable `code`. Other extension members may follow (`currentRevision` with `conflict`).',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: {
      type: 'string',
      description: '`urn:docket:problem:<code>`',
      example: 'urn:docket:problem:validation',
    },
    title: { type: 'string', description: 'The same for every problem with this code' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status' },
    detail: { type: 'string', description: 'What is wrong with this request' },
    code: { type: 'string', enum: problemCodes, description: 'Stable: see docs/api.md' },
    instance: { type: 'string', description: 'The request target' },
    errors: {
      type: 'array',
      description: 'The fields that failed (validation)',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          path: {
            type: 'string',
            description: 'A dotted path: `body.contact.email`, `headers.if-match`, `params.id`',
          },
          message: { type: 'string' },
        },
      },
    },
    currentRevision: {
      type: 'integer',
      description: "With `conflict` on a case: the case's revision now",
    },
  },
  additionalProperties: true,
} as const;

/** The problem responses, by status: what they mean and the headers they carry. */
type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;
const problemResponses: Record<ProblemStatus, { name: string; text: string; headers?: string[] }> =
  {
    400: {
      name: 'BadRequest',
      text: 'The request is not valid: `validation` lists the failing fields in `errors` (`body.contact.email`, `headers.if-match`, `params.id`); `bad-request`: it cannot be read.',
    },
    401: {
      name: 'Unauthenticated',
      text: 'No API token, or an unknown or revoked one.',
      headers: ['WWW-Authenticate'],
    },
    403: {
      name: 'Forbidden',
      text: "The token's role may never use this route, whatever it names.",
    },
    404: {
      name: 'NotFound',
      text: "No such resource, or one the caller may not see: another tenant's is answered exactly as a missing one.",
    },
    409: {
      name: 'Conflict',
      text: '`conflict`: `If-Match` is not the current revision (`currentRevision` says which is), or the case kept changing; `invalid-transition`: not allowed in the current state, or it exists already. Nothing was recorded.',
    },
    413: { name: 'PayloadTooLarge', text: 'The body is larger than the server accepts.' },
    415: { name: 'UnsupportedMediaType', text: 'The body is not `application/json`.' },
    422: {
      name: 'UnprocessableContent',
      text: '`severity-not-offered`: not on this line or without an advanced agreement; `idempotency-key-reused`: the `Idempotency-Key` was first used for another request. Nothing was recorded.',
    },
    500: { name: 'InternalError', text: 'A fault on our side: logged, details never sent.' },
    503: {
      name: 'ServiceUnavailable',
      text: 'The server is shutting down: retry.',
      headers: ['Retry-After'],
    },
  };

const codesAt = (status: number) =>
  problemCodes
    .filter((code) => problem(code, '').status === status)
    .map((code) => `\`${code}\``)
    .join(', ');

/** The response headers the API sends (docs/api.md). */
const headerComponents: Record<string, { description: string; schema: object }> = {
  ETag: {
    description:
      'The case revision, quoted (`"3"`): send it back as `If-Match` to act only on that revision (`GET /cases/{id}` with `at`: none).',
    schema: { type: 'string', example: '"3"' },
  },
  Location: { description: 'The new case: `/cases/{id}`', schema: { type: 'string' } },
  'Idempotent-Replayed': {
    description:
      '`true`: the first result of an earlier request with the same `Idempotency-Key`, replayed; nothing was recorded.',
    schema: { type: 'string', enum: ['true'] },
  },
  'Docket-Read-Model-Position': {
    description:
      'The log position the answer reflects: what its read model had applied (`-1`: nothing yet).',
    schema: { type: 'string', example: '1042' },
  },
  'Docket-Read-Model-Rebuilding': {
    description:
      '`true` while that read model is being rebuilt: the answer may be incomplete, even empty.',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  'WWW-Authenticate': {
    description: 'The scheme to authenticate with',
    schema: { type: 'string', example: 'Bearer realm="docket"' },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    schema: { type: 'string', example: '1' },
  },
};

const readModelHeaders = ['Docket-Read-Model-Position', 'Docket-Read-Model-Rebuilding'];

/**
 * Headers of a route's success responses, by `METHOD url`, beyond those of every route that runs
 * a case command (it takes an `Idempotency-Key`): `ETag` and `Idempotent-Replayed`.
 */
const successHeaders: Record<string, readonly string[]> = {
  'POST /cases': ['Location'],
  'GET /cases/:id': ['ETag'],
  'GET /queues/:name': readModelHeaders,
  'GET /reports/sla': readModelHeaders,
};

/** Problems a route gives that its declaration does not show, by `METHOD url`. */
const moreProblems: Record<string, readonly ProblemStatus[]> = {
  // Registering a tenant that exists: `invalid-transition`.
  'POST /tenants': [409],
};

const tagDescriptions: Record<string, string> = {
  cases:
    'Open service requests, act on them and read them. Every route refuses in one order: 401, 403, 404, then input and state (docs/api.md).',
  audit: "A case's full history, each event with its envelope (agents and auditors).",
  directory:
    'Offerings and their support lines, hours and phone numbers, from the policy in force.',
  admin: 'Tenants and API tokens, managed by admins (customers may read their own tenant).',
  reports:
    'Read models: queues, the SLA report and how far each read model has applied the log. Answers carry their position.',
  webhooks:
    'Webhook endpoints, signed per Standard Webhooks, and their delivery log (admins; customer admins for their tenant).',
  notifications:
    'The e-mail delivery log: who was sent what about which case, and redelivery (admins).',
};

/** Methods whose requests Fastify reads a body of: 400 (not JSON), 413 and 415 before the route. */
const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The problem statuses an operation can answer with, from what its route declares:
 * authentication (401) for every route that is not public; 403 unless every role may use it;
 * 400 if it takes parameters or a body; 404 for a route about a case or named by a path
 * parameter that is not one of a closed set; 409 and 422 for routes that run case commands (they
 * take `If-Match` or an `Idempotency-Key`); 413 and 415 for methods with a body; 500 and 503
 * everywhere.
 */
const problemStatusesOf = (route: DocumentedRoute, operation: Operation): ProblemStatus[] => {
  const parameters = operation.parameters ?? [];
  const header = (name: string) => parameters.some((p) => p.in === 'header' && p.name === name);
  const statuses = new Set<ProblemStatus>([500, 503]);
  if (!route.public) statuses.add(401);
  const roles = route.access?.roles;
  if (roles !== undefined && anyCaller.roles.some((role) => !roles.includes(role))) {
    statuses.add(403);
  }
  if (parameters.length > 0 || operation.requestBody !== undefined) statuses.add(400);
  if (
    route.access?.case === true ||
    parameters.some((p) => p.in === 'path' && p.schema?.enum === undefined)
  ) {
    statuses.add(404);
  }
  if (header('if-match') || header('idempotency-key')) statuses.add(409);
  if (header('idempotency-key')) statuses.add(422);
  if (bodyMethods.has(route.method))
    for (const status of [400, 413, 415] as const) statuses.add(status);
  for (const status of moreProblems[`${route.method} ${route.url}`] ?? []) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
};

const successHeadersOf = (route: DocumentedRoute, operation: Operation): readonly string[] => {
  const command = (operation.parameters ?? []).some(
    (p) => p.in === 'header' && p.name === 'idempotency-key',
  );
  return [
    ...(successHeaders[`${route.method} ${route.url}`] ?? []),
    ...(command ? ['ETag', 'Idempotent-Replayed'] : []),
  ].filter((h, i, all) => all.indexOf(h) === i);
};

const componentSections = ['schemas', 'responses', 'headers', 'parameters', 'requestBodies'];

/** Drops the components nothing refers to (such as the input variants of output-only schemas). */
const dropUnusedComponents = (document: Document): void => {
  const components = document.components;
  if (components === undefined) return;
  const refsIn = (value: unknown): string[] => {
    const found: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (typeof node === 'object' && node !== null) {
        for (const [key, child] of Object.entries(node)) {
          if (key === '$ref' && typeof child === 'string') found.push(child);
          else walk(child);
        }
      }
    };
    walk(value);
    return found;
  };
  const { components: _components, ...rest } = document;
  const used = new Set<string>();
  const pending = refsIn(rest);
  while (pending.length > 0) {
    const ref = pending.pop()!;
    if (used.has(ref)) continue;
    used.add(ref);
    const [, , section, name] = ref.split('/');
    if (section !== undefined && name !== undefined)
      pending.push(...refsIn(components[section]?.[name]));
  }
  for (const section of componentSections) {
    const entries = components[section];
    if (entries === undefined) continue;
    for (const name of Object.keys(entries)) {
      if (!used.has(`#/components/${section}/${name}`)) delete entries[name];
    }
    if (Object.keys(entries).length === 0) delete components[section];
  }
};

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The conventions for one app: names its routes as they are added, then fills its document. */
export const openApiConventions = (): OpenApiConventions => {
  const routes = new Map<string, DocumentedRoute>();

  const onRoute = (route: RouteOptions): void => {
    const schema = route.schema;
    // HEAD routes Fastify adds for GET ones are not documented; nor are hidden routes.
    if (typeof route.method !== 'string' || route.method === 'HEAD') return;
    if (schema === undefined || schema.hide === true) return;
    const operationId = schema.operationId ?? operationIdOf(route.method, route.url);
    const taken = routes.get(operationId);
    if (taken !== undefined) {
      throw new Error(
        `operationId ${operationId} of ${route.method} ${route.url} is already ${taken.method} ${taken.url}'s: give one of them another (schema.operationId)`,
      );
    }
    routes.set(operationId, {
      method: route.method,
      url: route.url,
      access: route.config?.access,
      public: route.config?.public === true,
    });
    // A copy: a schema object shared by two routes must not carry the first one's name.
    route.schema = { ...schema, operationId };
  };

  const transformObject = (
    generated: ReturnType<SwaggerTransformObject>,
  ): ReturnType<SwaggerTransformObject> => {
    const document = structuredClone(generated) as unknown as Document;
    document.servers ??= [{ url: '/', description: 'This server' }];
    // The package is private and grants no licence; state that until the team chooses one.
    document.info.license ??= {
      name: 'Proprietary: no licence granted',
      url: 'urn:docket:licence:proprietary',
    };
    const components = (document.components ??= {});
    const schemas = (components.schemas ??= {});
    const responses = (components.responses ??= {});
    const headers = (components.headers ??= {});
    schemas.Problem = problemSchema;
    for (const [status, { name, text, headers: named }] of Object.entries(problemResponses)) {
      responses[name] = {
        description: `${text} Codes: ${codesAt(Number(status))}.`,
        ...(named === undefined
          ? {}
          : {
              headers: Object.fromEntries(
                named.map((h) => [h, { $ref: `#/components/headers/${h}` }]),
              ),
            }),
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        },
      };
    }
    Object.assign(headers, headerComponents);

    const tags: string[] = [];
    for (const operations of Object.values(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!httpMethods.has(method)) continue;
        for (const tag of operation.tags ?? []) if (!tags.includes(tag)) tags.push(tag);
        const route =
          operation.operationId === undefined ? undefined : routes.get(operation.operationId);
        if (route === undefined) continue;
        if (route.public) operation.security = [];
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!status.startsWith('2') || '$ref' in response) continue;
          const named = successHeadersOf(route, operation);
          if (named.length === 0) continue;
          response.headers = {
            ...response.headers,
            ...Object.fromEntries(named.map((h) => [h, { $ref: `#/components/headers/${h}` }])),
          };
        }
        for (const status of problemStatusesOf(route, operation)) {
          operation.responses[String(status)] ??= {
            $ref: `#/components/responses/${problemResponses[status].name}`,
          };
        }
      }
    }
    const declared = document.tags ?? [];
    document.tags = [
      ...declared,
      ...tags
        .filter((name) => !declared.some((t) => t.name === name))
        .map((name) => {
          const description = tagDescriptions[name];
          return description === undefined ? { name } : { name, description };
        }),
    ];
    dropUnusedComponents(document);
    return document as unknown as ReturnType<SwaggerTransformObject>;
  };

  return { onRoute, transformObject };
};
