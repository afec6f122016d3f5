import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConnectionError } from 'fastify';
import { clientErrorHandler } from '../../src/http/nodeRefusals.js';
import { httpFixture, openBody, type HttpFixture } from '../specs/httpSpec.js';

/**
 * Malformed requests over a real socket: whatever Node's HTTP parser, Fastify's router or its
 * body parsers refuse before a route runs is still an RFC 9457 problem with a stable `code`.
 */

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const HEAD_END = '\r\n\r\n';

/** The complete responses at the start of `data`, and how many bytes they took. */
const parseResponses = (data: Buffer): { responses: RawResponse[]; used: number } => {
  const responses: RawResponse[] = [];
  let used = 0;
  for (;;) {
    const end = data.indexOf(HEAD_END, used);
    if (end < 0) break;
    const [statusLine = '', ...lines] = data.subarray(used, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = end + HEAD_END.length;
    const length = Number(headers['content-length'] ?? 0);
    if (data.length < start + length) break;
    responses.push({
      status,
      headers,
      body: data.subarray(start, start + length).toString('utf8'),
    });
    used = start + length;
  }
  return { responses, used };
};

/**
 * Writes each request as raw bytes once the previous one is answered, and reads the responses
 * until all are answered (or, with `untilClose`, until the server closes the connection).
 */
const exchange = (
  port: number,
  requests: string | readonly string[],
  { untilClose = false, deadlineMs = 5_000 } = {},
): Promise<{ responses: RawResponse[]; rest: string }> =>
  new Promise((resolve, reject) => {
    const queue = typeof requests === 'string' ? [requests] : [...requests];
    const total = queue.length;
    const socket: Socket = connect({ port, host: '127.0.0.1' });
    let data = Buffer.alloc(0);
    let answered = 0;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const { responses, used } = parseResponses(data);
      resolve({ responses, rest: data.subarray(used).toString('latin1') });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${deadlineMs} ms; got ${data.toString('latin1')}`));
    }, deadlineMs);
    socket.on('connect', () => socket.write(queue.shift() ?? ''));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const now = parseResponses(data).responses.length;
      if (now === answered) return;
      answered = now;
      const next = queue.shift();
      if (next !== undefined) socket.write(next);
      else if (!untilClose && answered >= total) finish();
    });
    // The server may reset a connection it refused while bytes were still unread: what arrived
    // before counts.
    socket.on('error', finish);
    socket.on('close', finish);
  });

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

interface Case {
  readonly name: string;
  /** The raw request; `{token}` is replaced by ada's token. */
  readonly request: string;
  readonly status: number;
  readonly code: string;
}

const json = JSON.stringify(openBody);
const bytes = (s: string) => Buffer.byteLength(s);
const post = (headers: string, body: string) =>
  `POST /cases HTTP/1.1\r\nHost: docket.test\r\nAuthorization: Bearer {token}\r\n${headers}\r\n${body}`;

const cases: readonly Case[] = [
  {
    name: 'a 60 kB header',
    request: `GET /health HTTP/1.1\r\nHost: docket.test\r\nX-Big: ${'a'.repeat(60_000)}\r\n\r\n`,
    status: 431,
    code: 'request-header-too-large',
  },
  {
    name: 'a NUL byte in a header value',
    request: 'GET /health HTTP/1.1\r\nHost: docket.test\r\nX-Nul: a\u0000b\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'a header name with a space',
    request: 'GET /health HTTP/1.1\r\nHost: docket.test\r\nX Bad: 1\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'a garbage request line',
    request: 'this is not http at all\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'binary garbage (a TLS hello on the plain port)',
    request: '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'the HTTP/2 preface on the HTTP/1.1 port',
    request: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'CONNECT (this is no proxy)',
    request: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'an invalid method',
    request: 'FROB /health HTTP/1.1\r\nHost: docket.test\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'a bad HTTP version',
    request: 'GET /health HTTP/1.x\r\nHost: docket.test\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'no Host header on HTTP/1.1',
    request: 'GET /health HTTP/1.1\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'an Expect header other than 100-continue',
    request: 'GET /health HTTP/1.1\r\nHost: docket.test\r\nExpect: the-unexpected\r\n\r\n',
    status: 417,
    code: 'expectation-failed',
  },
  {
    name: 'garbage in chunked encoding',
    request: post(
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
      'zz\r\n{}\r\n0\r\n\r\n',
    ),
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'a chunk extension over 16 kB',
    request: post(
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
      `2;x=${'a'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`,
    ),
    status: 413,
    code: 'payload-too-large',
  },
  {
    name: 'a content-length that is not a number',
    request: post('Content-Type: application/json\r\nContent-Length: abc\r\n', json),
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'two different content-lengths',
    request: post(
      `Content-Type: application/json\r\nContent-Length: ${bytes(json)}\r\nContent-Length: 2\r\n`,
      json,
    ),
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'both content-length and chunked',
    request: post(
      `Content-Type: application/json\r\nContent-Length: ${bytes(json)}\r\nTransfer-Encoding: chunked\r\n`,
      json,
    ),
    status: 400,
    code: 'bad-request',
  },
  {
    // The rest of the body reads as the next request, which is garbage.
    name: 'a content-length shorter than the body',
    request: post(`Content-Type: application/json\r\nContent-Length: 10\r\n`, json),
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'malformed percent-encoding in the URL',
    request:
      'GET /cases/%E0%A4%A HTTP/1.1\r\nHost: docket.test\r\nAuthorization: Bearer {token}\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'an over-long path parameter',
    request: `GET /cases/${'x'.repeat(300)} HTTP/1.1\r\nHost: docket.test\r\nAuthorization: Bearer {token}\r\n\r\n`,
    status: 400,
    code: 'validation',
  },
  {
    name: 'JSON sent as text/plain',
    request: post(`Content-Type: text/plain\r\nContent-Length: ${bytes(json)}\r\n`, json),
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'a form-urlencoded body',
    request: post(
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n',
      'title=x',
    ),
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'a multipart body',
    request: post(
      'Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 8\r\n',
      '--xyz--\r\n',
    ),
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'a +json media type',
    request: post(
      `Content-Type: application/merge-patch+json\r\nContent-Length: ${bytes(json)}\r\n`,
      json,
    ),
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'an empty body sent as text/plain',
    request: post('Content-Type: text/plain\r\nContent-Length: 0\r\n', ''),
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'a body without a content-type',
    request: post(`Content-Length: ${bytes(json)}\r\n`, json),
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'malformed JSON',
    request: post('Content-Type: application/json\r\nContent-Length: 9\r\n', '{"title":'),
    status: 400,
    code: 'validation',
  },
  {
    name: 'an empty JSON body',
    request: post('Content-Type: application/json\r\nContent-Length: 0\r\n', ''),
    status: 400,
    code: 'validation',
  },
  {
    name: 'a body larger than the limit',
    request: post('Content-Type: application/json\r\nContent-Length: 300000\r\n', '{"title":"'),
    status: 413,
    code: 'payload-too-large',
  },
  {
    name: 'a chunked body larger than the limit',
    request: post(
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
      `40000\r\n${'x'.repeat(0x40000)}\r\n10\r\n${'x'.repeat(16)}\r\n0\r\n\r\n`,
    ),
    status: 413,
    code: 'payload-too-large',
  },
];

describe('errors raised before a route runs, over a real socket (issue #13)', () => {
  let f: HttpFixture;
  let port: number;
  beforeAll(async () => {
    f = await httpFixture();
    await f.app.listen({ port: 0, host: '127.0.0.1' });
    port = (f.app.server.address() as AddressInfo).port;
  });
  afterAll(() => f.close());

  it.each(cases)('$name → $status $code', async ({ request, status, code }) => {
    const { responses, rest } = await exchange(port, request.replace('{token}', f.tokens.ada));
    const [response] = responses;
    expect(response, `no response; got ${JSON.stringify(rest.slice(0, 300))}`).toBeDefined();
    expect({
      status: response?.status,
      type: response?.headers['content-type'],
      body: parseJson(response?.body ?? ''),
    }).toMatchObject({
      status,
      type: expect.stringMatching(/^application\/problem\+json(;|$)/) as unknown,
      body: { status, code, type: `urn:docket:problem:${code}` },
    });
  });

  it.each([
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/json ; charset=UTF-8',
  ])('JSON as %s is JSON', async (type) => {
    const body = JSON.stringify({ role: 'agent', name: 'from-raw' });
    const request =
      `POST /tokens HTTP/1.1\r\nHost: docket.test\r\nAuthorization: Bearer ${f.tokens.root}\r\n` +
      `Content-Type: ${type}\r\nContent-Length: ${bytes(body)}\r\n\r\n${body}`;
    const { responses } = await exchange(port, request);
    expect(responses[0]?.status, responses[0]?.body).toBe(201);
  });

  it('a refusal by the HTTP parser closes the connection and says how long its body is', async () => {
    const { responses, rest } = await exchange(port, 'FROB / HTTP/1.1\r\nHost: x\r\n\r\n', {
      untilClose: true,
    });
    expect(responses).toHaveLength(1);
    expect(rest).toBe('');
    expect(responses[0]?.headers.connection).toBe('close');
    expect(Number(responses[0]?.headers['content-length'])).toBe(bytes(responses[0]?.body ?? ''));
  });

  it('garbage after an answered request on a kept-alive connection is answered too', async () => {
    const good = 'GET /health HTTP/1.1\r\nHost: docket.test\r\n\r\n';
    const { responses } = await exchange(port, [good, 'this is not http\r\n\r\n'], {
      untilClose: true,
    });
    expect(responses.map((r) => r.status)).toEqual([200, 400]);
    expect(parseJson(responses[1]?.body ?? '')).toMatchObject({ code: 'bad-request' });
  });

  it('HTTP/1.0 needs no Host header', async () => {
    const { responses } = await exchange(port, 'GET /health HTTP/1.0\r\n\r\n');
    expect(responses[0]?.status).toBe(200);
  });

  /** Raises `error` on the server's side of a fresh connection and reads what the client gets. */
  const raise = async (error: Partial<ConnectionError>) => {
    const accepted = new Promise<Socket>((resolve) => f.app.server.once('connection', resolve));
    const client = connect({ port, host: '127.0.0.1' });
    // Half a request: the server is waiting for the rest.
    client.write('POST /cases HTTP/1.1\r\nHost: docket.test\r\n');
    const socket = await accepted;
    const received = new Promise<string>((resolve) => {
      let data = '';
      client.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
      client.on('error', () => resolve(data));
      client.on('close', () => resolve(data));
    });
    f.app.server.emit('clientError', Object.assign(new Error('raised'), error), socket);
    return received;
  };

  it('a request that does not arrive in time → 408 request-timeout', async () => {
    const raw = await raise({ code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    const { responses } = parseResponses(Buffer.from(raw, 'latin1'));
    expect(responses[0]?.status).toBe(408);
    expect(responses[0]?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(parseJson(responses[0]?.body ?? '')).toMatchObject({
      status: 408,
      code: 'request-timeout',
    });
  });

  it('a reset connection is closed without a word', async () => {
    expect(await raise({ code: 'ECONNRESET' })).toBe('');
  });
});

describe('the client error handler on its own', () => {
  const socketDouble = (state: { writable: boolean; destroyed: boolean; headersSent?: boolean }) =>
    ({
      writable: state.writable,
      destroyed: state.destroyed,
      ...(state.headersSent === undefined
        ? {}
        : { _httpMessage: { headersSent: state.headersSent } }),
      write: vi.fn(),
      destroy: vi.fn(),
    }) as unknown as Socket & {
      write: ReturnType<typeof vi.fn>;
      destroy: ReturnType<typeof vi.fn>;
    };
  const parseError = Object.assign(new Error('Parse Error'), {
    code: 'HPE_INVALID_METHOD',
  }) as ConnectionError;

  it('writes one problem and closes the connection', () => {
    const socket = socketDouble({ writable: true, destroyed: false, headersSent: false });
    clientErrorHandler.call(undefined, parseError, socket);
    expect(socket.write).toHaveBeenCalledTimes(1);
    expect(String(socket.write.mock.calls[0]?.[0])).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(socket.destroy).toHaveBeenCalled();
  });

  it.each([
    ['not writable', { writable: false, destroyed: false }],
    ['already destroyed', { writable: false, destroyed: true }],
    ['whose response has begun', { writable: true, destroyed: false, headersSent: true }],
  ])('writes nothing on a connection %s, and closes it', (_what, state) => {
    const socket = socketDouble(state);
    clientErrorHandler.call(undefined, parseError, socket);
    expect(socket.write).not.toHaveBeenCalled();
    expect(socket.destroy).toHaveBeenCalled();
  });
});
