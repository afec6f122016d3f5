import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isUnavailableDependency } from './unavailableDependency.js';
import { isDocketError, type ErrorCode, type FieldIssue } from '../domain/docketError.js';

/** The stable codes of the HTTP API: the domain's, plus those only HTTP can produce. */
export type ProblemCode =
  | ErrorCode
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'bad-request'
  | 'request-timeout'
  | 'expectation-failed'
  | 'request-header-too-large'
  | 'unavailable'
  | 'internal';

const statusOf: Record<ProblemCode, number> = {
  validation: 400,
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'request-timeout': 408,
  conflict: 409,
  'invalid-transition': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'expectation-failed': 417,
  'severity-not-offered': 422,
  'policy-invalid': 422,
  'idempotency-key-reused': 422,
  'request-header-too-large': 431,
  internal: 500,
  unavailable: 503,
};

const titleOf: Record<ProblemCode, string> = {
  validation: 'The request is not valid',
  'bad-request': 'Bad request',
  unauthenticated: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  'request-timeout': 'Request not received in time',
  conflict: 'Conflict with the current revision',
  'invalid-transition': 'Not allowed in the current state',
  'payload-too-large': 'Request body too large',
  'unsupported-media-type': 'Unsupported media type',
  'expectation-failed': 'Expectation not supported',
  'severity-not-offered': 'Severity not offered',
  'policy-invalid': 'Policy not valid',
  'idempotency-key-reused': 'Idempotency key already used for another request',
  'request-header-too-large': 'Request headers too large',
  internal: 'Internal error',
  unavailable: 'Service unavailable',
};

/** An RFC 9457 problem details document with Docket's extensions. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly instance?: string;
  /** The fields that failed, as dotted paths (`body.contact.email`). */
  readonly errors?: readonly FieldIssue[];
  readonly [extension: string]: unknown;
}

export const problem = (
  code: ProblemCode,
  detail: string,
  extra: { errors?: readonly FieldIssue[]; [key: string]: unknown } = {},
): Problem => ({
  type: `urn:docket:problem:${code}`,
  title: titleOf[code],
  status: statusOf[code],
  detail,
  code,
  ...extensionsOf(extra),
});

/** Extensions as given, but no empty `errors` list. */
const extensionsOf = ({
  errors,
  ...rest
}: {
  errors?: readonly FieldIssue[];
  [key: string]: unknown;
}) => (errors === undefined || errors.length === 0 ? rest : { ...rest, errors });

export const sendProblem = (reply: FastifyReply, body: Problem, request?: FastifyRequest) => {
  // Unavailable now: say when to come back, unless the sender said so already.
  if (body.status === 503 && !reply.hasHeader('retry-after')) void reply.header('retry-after', '5');
  return reply
    .code(body.status)
    .type('application/problem+json')
    .send(request === undefined ? body : { ...body, instance: request.url });
};

/** Any error thrown while handling a request, as a problem (never leaking internals on a 500). */
export const toProblem = (error: unknown): Problem => {
  if (isDocketError(error)) {
    const extensions = Object.fromEntries(
      ['currentRevision', 'expected', 'actual']
        .filter((k) => k in error)
        .map((k) => [k, (error as unknown as Record<string, unknown>)[k]]),
    );
    return problem(error.code, error.message, { errors: error.issues, ...extensions });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext ?? 'body';
    const errors = error.validation.map((v) => ({
      path: [where, ...v.instancePath.split('/').filter((p) => p !== '')].join('.'),
      message: v.message ?? 'invalid',
    }));
    return problem('validation', `invalid ${where}: ${errors.map((e) => e.path).join(', ')}`, {
      errors,
    });
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code ?? '') {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem('validation', 'the body is not valid JSON', {
        errors: [{ path: 'body', message: 'malformed JSON' }],
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('validation', 'the body is empty; send a JSON object', {
        errors: [{ path: 'body', message: 'empty' }],
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('payload-too-large', 'the request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('unsupported-media-type', 'send the body as application/json');
    case 'FST_ERR_BAD_URL':
      return problem('bad-request', 'the URL is not valid: it has malformed percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem('validation', 'a path parameter is longer than any valid id', {
        errors: [{ path: 'params', message: 'at most 128 characters' }],
      });
    default:
      break;
  }
  if (isUnavailableDependency(error)) {
    return problem('unavailable', 'a service Docket depends on cannot be reached now; retry later');
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { ...problem('bad-request', fastifyError.message ?? 'bad request'), status };
  }
  return problem('internal', 'the server failed to handle this request; it has been logged');
};
