import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** 1–200 visible ASCII characters (no space, no control character). */
const VISIBLE_ASCII = /^[\x21-\x7e]{1,200}$/;
/** W3C Trace Context: version-traceid-parentid-flags; later versions may append fields. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-[^\s]*)?$/;
const ZEROS = /^0+$/;

/** The trace id of a valid `traceparent` header, else undefined. */
export const traceIdOf = (traceparent: string | string[] | undefined): string | undefined => {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (match === null) return undefined;
  const [, version, traceId, parentId, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ZEROS.test(traceId!) || ZEROS.test(parentId!)) return undefined;
  return traceId;
};

/**
 * Fastify's `genReqId`: the caller's `X-Request-Id` when it is 1–200 visible ASCII characters,
 * else the trace id of a valid W3C `traceparent`, else a random UUID. The id is `reqId` in every
 * log line of the request and the `correlationId` of the events its command records.
 */
export const requestId = (request: IncomingMessage): string => {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && VISIBLE_ASCII.test(given)) return given;
  return traceIdOf(request.headers.traceparent) ?? randomUUID();
};

/**
 * Every response carries `X-Request-Id` (the request's id) and, when the request came with a
 * valid `traceparent`, that header back. Add it before any hook that may answer early.
 */
export const echoRequestIds = (app: FastifyInstance): void => {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    const traceparent = request.headers.traceparent;
    if (traceparent !== undefined && traceIdOf(traceparent) !== undefined)
      void reply.header('traceparent', traceparent);
    done();
  });
};
