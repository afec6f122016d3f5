import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionError, FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { problem, sendProblem, type Problem } from './problem.js';

/*
 * Requests Node's HTTP server refuses before Fastify sees them (a request it cannot parse, a
 * header block too large, a request too slow, an expectation it cannot meet, CONNECT), answered
 * as problem documents like every other refusal: Node's own answers have no body and Fastify's
 * default is a plain JSON one.
 */

/** The problem for an error Node's HTTP parser or its timers raise on a connection. */
export const clientErrorProblem = (error: { code?: string; reason?: unknown }): Problem => {
  switch (error.code ?? '') {
    case 'HPE_HEADER_OVERFLOW':
      return problem('request-header-too-large', 'the request headers are larger than accepted');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return problem('payload-too-large', 'the chunk extensions are larger than accepted');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem('request-timeout', 'the request did not arrive in time');
    default: {
      const reason = typeof error.reason === 'string' ? `: ${error.reason}` : '';
      return problem('bad-request', `the request is not valid HTTP/1.1${reason}`);
    }
  }
};

/** A whole response, written straight on a connection that closes after it. */
const rawResponse = (body: Problem): string => {
  const text = JSON.stringify(body);
  return (
    `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status] ?? ''}\r\n` +
    'Content-Type: application/problem+json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(text)}\r\n` +
    'Connection: close\r\n\r\n' +
    text
  );
};

/**
 * Whether a response on this connection has begun: nothing more may be written then. Node's own
 * handler asks the same of the response it attaches to the socket (`_httpMessage`).
 */
const responseBegun = (socket: Duplex): boolean =>
  (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage?.headersSent === true;

/**
 * Fastify's `clientErrorHandler`: answers the error with a problem document and closes the
 * connection. A reset connection, a closed one or one whose response has begun is only closed.
 */
export function clientErrorHandler(
  this: FastifyInstance | undefined,
  error: ConnectionError,
  socket: Duplex,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) {
    socket.destroy();
    return;
  }
  this?.log.debug({ err: error }, 'client error');
  if (socket.writable && !responseBegun(socket))
    socket.write(rawResponse(clientErrorProblem(error)));
  socket.destroy();
}

const sendOnResponse = (res: ServerResponse, body: Problem) => {
  const text = JSON.stringify(body);
  res.writeHead(body.status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
  });
  res.end(text);
};

/** Answers on `server` what Node would otherwise answer with an empty body or a closed socket. */
export const answerNodeRefusals = (server: Server): void => {
  // Node answers an `Expect` other than `100-continue` with a bare 417 unless someone listens.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) =>
    sendOnResponse(
      res,
      problem('expectation-failed', `cannot meet the expectation: ${req.headers.expect ?? ''}`, {
        instance: req.url,
      }),
    ),
  );
  // Node closes a CONNECT without a word unless someone listens; this is no proxy.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    if (socket.writable)
      socket.write(rawResponse(problem('bad-request', 'CONNECT is not supported: not a proxy')));
    socket.destroy();
  });
};

/**
 * HTTP/1.1 requires a `Host` header. Node's own check answers a bare 400, so the server is built
 * without it (`requireHostHeader: false`) and this hook makes the same refusal a problem.
 */
export const requireHost: onRequestAsyncHookHandler = async (request, reply) => {
  const { httpVersionMajor, httpVersionMinor } = request.raw;
  if (httpVersionMajor === 1 && httpVersionMinor >= 1 && request.headers.host === undefined) {
    void reply.header('connection', 'close');
    await sendProblem(
      reply,
      problem('bad-request', 'an HTTP/1.1 request needs a Host header'),
      request,
    );
  }
};
