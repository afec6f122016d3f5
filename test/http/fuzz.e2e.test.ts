import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandRoles } from '../../src/domain/case/caseAccess.js';
import { httpCaseCommands } from '../../src/http/httpCaseCommands.js';
import { httpFixture, openBody, people, type HttpFixture, type Person } from '../specs/httpSpec.js';

/**
 * The issue's bar: thousands of random and malformed requests against every route — no 5xx,
 * every refusal a problem document, and the event log unchanged by every refused request.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
type Obj = Record<string, unknown>;

/** One request: who sends it (a person's token) or the raw headers it carries instead. */
interface Probe {
  readonly who: Person | undefined;
  readonly method: Method;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly payload?: string;
}

interface Body {
  readonly payload?: string;
  readonly contentType?: string;
  readonly contentLength?: string;
}

interface Auth {
  readonly who: Person | undefined;
  readonly authorization?: string;
}

const JSON_TYPE = 'application/json';
/** Fixed for CI; `FUZZ_SEED=<n> npx vitest run test/http/fuzz` explores further. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clip = (s: string | undefined, n = 300) =>
  s === undefined ? '(none)' : s.length > n ? `${s.slice(0, n)}…(${s.length})` : s;

/** The last position in the log: it moves if and only if something was appended. */
const logHead = async (f: HttpFixture): Promise<bigint> => {
  for await (const event of f.store.readAll({ direction: 'backwards', maxCount: 1 }))
    return event.position;
  return 0n;
};

/** RFC 9457 with Docket's `code`: what every refusal's body must be. */
const isProblem = (
  body: unknown,
): body is { type: string; title: string; status: number; detail: string; code: string } =>
  isObj(body) &&
  typeof body.type === 'string' &&
  typeof body.title === 'string' &&
  typeof body.status === 'number' &&
  typeof body.detail === 'string' &&
  typeof body.code === 'string';

const sendable = (p: Probe) => URL.canParse(p.url, 'http://localhost');

/** What a response was: its status and, for a refusal, its problem code (`200`, `404 not-found`). */
type Outcome = string;

/** Sends a probe and checks what every response must satisfy. */
const send = async (f: HttpFixture, probe: Probe): Promise<{ outcome: Outcome; body: string }> => {
  const before = await logHead(f);
  const res = await f.request(probe.who, {
    method: probe.method,
    url: probe.url,
    headers: probe.headers,
    ...(probe.payload === undefined ? {} : { payload: probe.payload }),
  });
  const after = await logHead(f);
  const status = res.statusCode;
  const what = () =>
    `${probe.method} ${clip(probe.url, 200)} as ${probe.who ?? 'nobody'} ` +
    `headers ${clip(JSON.stringify(probe.headers))} body ${clip(probe.payload)}\n` +
    `→ ${status} ${clip(res.headers['content-type']?.toString())} ${clip(res.body, 600)}`;
  if (status >= 500) throw new Error(`server error: ${what()}`);
  let outcome = String(status);
  if (status >= 400) {
    if (after !== before)
      throw new Error(`refused, yet the log moved ${before}→${after}: ${what()}`);
    const type = res.headers['content-type'];
    if (typeof type !== 'string' || !type.startsWith('application/problem+json'))
      throw new Error(`refusal is not application/problem+json: ${what()}`);
    if (probe.method !== 'HEAD') {
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        throw new Error(`problem body is not JSON: ${what()}`);
      }
      if (!isProblem(body) || body.status !== status)
        throw new Error(`not a problem document: ${what()}`);
      outcome = `${status} ${body.code}`;
    }
  }
  if ((probe.method === 'GET' || probe.method === 'HEAD') && after !== before)
    throw new Error(`a read moved the log ${before}→${after}: ${what()}`);
  return { outcome, body: res.body };
};

// ---------------------------------------------------------------------------------------------
// Values

/** Text a header can carry (visible ASCII and Latin-1; Node refuses control characters). */
const headerText = (maxLength = 60) =>
  fc.string({
    unit: fc
      .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
      .map((c) => String.fromCharCode(c)),
    maxLength,
  });

const lengths = [0, 1, 20, 21, 50, 51, 62, 63, 64, 100, 101, 128, 129, 200, 201, 300, 301];
const longLengths = [2_000, 2_001, 5_000, 5_001, 20_000, 20_001];
const hugeString = fc
  .tuple(
    fc.constantFrom(...lengths, ...longLengths),
    fc.constantFrom('x', 'é', '中', '😀', ' ', 'x ', '\u0000'),
  )
  .map(([n, c]) => c.repeat(n));

const unicodeString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u200b',
    '\u202e\u0041',
    'ｔｅｃｈｎｉｃａｌ',
    'Ａ',
    'İ',
    '\uFEFF',
    'a\u0301',
    '\uD800',
  ),
);

/** A value where a field of another type (or a value out of range) belongs. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 5, 6, 1.5, 2 ** 53, -0, 1e308, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    ...['', ' ', '\t\n', '\u0000', 'A', 'B', 'C', 'D', 'a', 'fixed', 'withdrawn'],
    ...['customer-nonresponse', 'li', 'mei', 'root', 'unusable', 'one', '21vianet', 'technical'],
    ...['admin', 'timer', 'customer-admin', 'contoso', 'fabrikam', 'US', '0', 'true', 'null'],
  ),
  { weight: 2, arbitrary: hugeString },
  { weight: 2, arbitrary: unicodeString },
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

const unknownKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    ...['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''],
    ...['id', 'caseId', 'tenant', 'actor', 'revision', 'type', 'commandId', 'role', 'status'],
  ),
);

const omit = (value: Obj, key: string): Obj =>
  Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));
const withField = (value: Obj, key: string, field: unknown): Obj => ({ ...value, [key]: field });

/** One change to a valid body: a field removed, given a wrong value, or an unknown field added. */
const mutation = (value: Obj): fc.Arbitrary<Obj> => {
  const keys = Object.keys(value);
  const options: Array<fc.Arbitrary<Obj>> = [
    fc
      .tuple(keys.length > 0 ? fc.constantFrom(...keys) : unknownKey, wrongValue)
      .map(([k, v]) => withField(value, k, v)),
    fc.tuple(unknownKey, fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => withField(value, k, v)),
  ];
  if (keys.length > 0) options.push(fc.constantFrom(...keys).map((k) => omit(value, k)));
  for (const key of keys) {
    const nested = value[key];
    if (isObj(nested)) options.push(mutation(nested).map((inner) => withField(value, key, inner)));
  }
  return fc.oneof(...options);
};

/** A valid body changed once or twice: structurally close, usually wrong. */
const nearMiss = (value: Obj): fc.Arbitrary<Obj> =>
  mutation(value).chain((once) => fc.oneof(fc.constant(once), mutation(once)));

/** Broken JSON: `text` truncated, with trailing garbage or a stray character, or worse. */
const malformedText = (text: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((i) => text.slice(0, i)),
    fc
      .constantFrom('}', ',', 'x', ']', '{}', '"', '\u0000', ' garbage', '\n{"a":1}', ',}', 'null')
      .map((g) => text + g),
    fc
      .tuple(fc.nat({ max: text.length }), fc.constantFrom('"', '\\', '{', '}', ':', ',', '\u0001'))
      .map(([i, c]) => text.slice(0, i) + c + text.slice(i)),
    fc.constantFrom(
      ...["{'line':'technical'}", '{line: "x"}', '{"a":}', '[1,2,', 'NaN', 'undefined', '{"a":1,}'],
      ...['"unterminated', '{"a":"\\x"}', '{"a":"\\ud800"}', '{"a":01}', '{"a":1e}', '-', '{{}}'],
      ...['<xml/>', 'a=1&b=2', '\u0000', '{"a":"b"', '/* c */ {}', '{"a":Infinity}'],
    ),
    headerText(80),
  );

/** Valid JSON that is hostile: prototype keys, deep nesting, duplicate keys, a BOM, big numbers. */
const hostileJson = (value: Obj): fc.Arbitrary<string> => {
  const text = JSON.stringify(value);
  const first = Object.keys(value)[0] ?? 'x';
  return fc.oneof(
    fc.constantFrom(
      '{"__proto__":{"polluted":true}}',
      `{"__proto__":{"polluted":true},${text.slice(1)}`,
      '{"constructor":{"prototype":{"polluted":true}}}',
      `{"constructor":{"prototype":{}},${text.slice(1)}`,
      `{"${first}":1,${text.slice(1)}`,
      `${text.slice(0, -1)},"${first}":[]}`,
      `\uFEFF${text}`,
      `[${text}]`,
      `"${'x'.repeat(1_000)}"`,
      '1'.repeat(400),
      `{"n":1${'0'.repeat(400)}}`,
      '{"":{"":{"":{"":{}}}}}',
    ),
    fc.integer({ min: 100, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    fc.integer({ min: 100, max: 5_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  );
};

const contentTypes = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/merge-patch+json',
  'application/jsonx',
  'application/json, text/plain',
  'json',
  '',
  ';',
  '*/*',
  'application/json; charset',
  'application/json; =x',
];
/** A content type other than plain application/json (or none at all). */
const oddContentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...contentTypes) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: headerText(40) },
);

/** `arbitrary` in `percent` of the draws, undefined otherwise. */
const sometimes = <T>(percent: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof(
    { weight: 100 - percent, arbitrary: fc.constant(undefined) },
    { weight: percent, arbitrary },
  );

const json = (value: unknown): Body => ({ payload: JSON.stringify(value), contentType: JSON_TYPE });

const emptyBody: fc.Arbitrary<Body> = fc.constantFrom<Body>(
  {},
  { payload: '' },
  { payload: '', contentType: JSON_TYPE },
  { payload: '   \n', contentType: JSON_TYPE },
  { contentType: JSON_TYPE },
  { contentType: 'text/plain' },
  { payload: '', contentType: 'text/plain' },
);

/** Bodies for a route whose valid body `valid` yields. */
const bodies = (valid: fc.Arbitrary<Obj>): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 2, arbitrary: valid.map(json) },
    { weight: 8, arbitrary: valid.chain(nearMiss).map(json) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json) },
    {
      weight: 3,
      arbitrary: valid
        .chain((v) => fc.oneof(fc.constant(v), nearMiss(v)))
        .chain((v) => malformedText(JSON.stringify(v)))
        .map((payload) => ({ payload, contentType: JSON_TYPE })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, oddContentType)
        .map(([v, contentType]) => ({ payload: JSON.stringify(v), contentType })),
    },
    { weight: 1, arbitrary: emptyBody },
    {
      weight: 2,
      arbitrary: valid.chain(hostileJson).map((payload) => ({ payload, contentType: JSON_TYPE })),
    },
    {
      // A Content-Length that lies about the body.
      weight: 1,
      arbitrary: fc
        .tuple(
          valid,
          fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0),
        )
        .map(([v, d]) => {
          const payload = JSON.stringify(v);
          const contentLength = String(Math.max(0, Buffer.byteLength(payload) + d));
          return { payload, contentType: JSON_TYPE, contentLength };
        }),
    },
  );

/** Bodies a route that takes none may still be sent. */
const strayBodies: fc.Arbitrary<Body> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Body>({}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map(json) },
  { weight: 1, arbitrary: emptyBody },
  {
    weight: 1,
    arbitrary: fc
      .tuple(headerText(40), oddContentType)
      .map(([payload, contentType]) => ({ payload, contentType })),
  },
);

// ---------------------------------------------------------------------------------------------
// Paths

/** Path segments that are not plain ids: encoded slashes, dots, control bytes, bad escapes, … */
const oddSegments = [
  '',
  '%2F',
  'a%2Fb',
  '..%2F..%2Ftenants',
  '.',
  '..',
  '%2e',
  '%2e%2e',
  '...',
  '%00',
  'a%00b',
  '%',
  '%E0%A4%A',
  '%ZZ',
  '%C0%AF',
  '%FF',
  'a%20b',
  '~',
  '-',
  '_',
  '.hidden',
  '%C3%A9',
  'é',
  '😀',
  'x;y',
  'x,y',
  'x*',
  'x%3Fy',
  'x%23y',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'null',
  'undefined',
  '0',
  '-1',
  'CON',
  ...[99, 100, 101, 127, 128, 129, 200, 1_000, 5_000].map((n) => 'x'.repeat(n)),
];

const idSegment = (valid: fc.Arbitrary<string>, plain: RegExp): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 2, arbitrary: fc.stringMatching(plain) },
    { weight: 3, arbitrary: fc.constantFrom(...oddSegments) },
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 30 }) },
    { weight: 1, arbitrary: valid.map((id) => `${id}%2F..`) },
    { weight: 1, arbitrary: valid.map((id) => id.toUpperCase()) },
  );

/** Query strings: none, usual ones, and hostile ones. */
const queryText = (params: fc.Arbitrary<[string, string]>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    {
      weight: 5,
      arbitrary: fc
        .array(params, { minLength: 1, maxLength: 3 })
        .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '?',
        '?&&&',
        '?=',
        '?a',
        '?%',
        '?%ZZ=1',
        '?a[b]=1',
        '?__proto__[x]=1',
        '?constructor=1',
        `?${'a=1&'.repeat(2_000)}`,
        `?a=${'x'.repeat(10_000)}`,
      ),
    },
  );

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** ISO-looking instants, valid and not: day 31 of February, hour 24, offsets past ±14:00, … */
const instantText: fc.Arbitrary<string> = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .record({
      y: fc.integer({ min: 0, max: 10_000 }),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }),
      mi: fc.integer({ min: 0, max: 60 }),
      s: fc.integer({ min: 0, max: 61 }),
      frac: fc.constantFrom('', '.5', '.123', '.123456789', '.'),
      zone: fc.constantFrom(
        'Z',
        'z',
        '+08:00',
        '-12:00',
        '+14:00',
        '+23:59',
        '+24:00',
        '+0800',
        '',
      ),
    })
    .map(
      ({ y, mo, d, h, mi, s, frac, zone }) =>
        `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac}${zone}`,
    ),
  fc.constantFrom(
    '2026-11-23T10:00:00+08:00',
    '2026-02-29T10:00:00Z',
    '2028-02-29T10:00:00Z',
    '2026-02-30T10:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '+275760-09-13T00:00:00.000Z',
    '-000001-01-01T00:00:00Z',
    '2026-11-23',
    'now',
    '1732327200000',
  ),
);

// ---------------------------------------------------------------------------------------------

const caseBodies: Record<(typeof httpCaseCommands)[number], Obj> = {
  assign: { agent: 'li' },
  respond: { message: 'We are looking into it.' },
  requestInfo: { message: 'Which client version?' },
  customerReply: { message: 'Outlook 2016' },
  changeSeverity: { severity: 'C', reason: 'one user only' },
  addNote: { text: 'customer sounds annoyed' },
  resolve: { reason: 'fixed', summary: 'CNAME record' },
  withdraw: { reason: 'found it ourselves' },
  reopen: { reason: 'still failing' },
  submitSurvey: { rating: 5, comment: 'quick' },
};

const persons = Object.keys(people) as Person[];

describe('fuzzing every route with random and malformed requests', () => {
  let f: HttpFixture;
  let small: HttpFixture;
  let caseIds: string[];
  let revokedToken: string;
  let spareTokenId: string;

  beforeAll(async () => {
    [f, small] = await Promise.all([httpFixture(), httpFixture({ bodyLimit: 4_096 })]);
    const fresh = await f.open();
    const worked = await f.open({ ...openBody, severity: 'C', title: 'Mail flow delayed' });
    for (const [command, who, body] of [
      ['assign', 'li', { agent: 'li' }],
      ['respond', 'li', { message: 'Fixed the CNAME' }],
    ] as const) {
      const res = await f.request(who, {
        method: 'POST',
        url: `/cases/${worked}/${command}`,
        payload: body,
      });
      if (res.statusCode !== 200) throw new Error(`${command} failed: ${res.body}`);
    }
    const resolved = await f.open({ ...openBody, title: 'Calendar sharing broken' });
    const resolution = await f.request('li', {
      method: 'POST',
      url: `/cases/${resolved}/resolve`,
      payload: { reason: 'advice-given', summary: 'use the admin center' },
    });
    if (resolution.statusCode !== 200) throw new Error(`resolve failed: ${resolution.body}`);
    const other = await f.request('bo', {
      method: 'POST',
      url: '/cases',
      payload: { ...openBody, contact: { name: 'Bo', phone: '+86 10 1234 5678' } },
    });
    if (other.statusCode !== 201) throw new Error(`fabrikam open failed: ${other.body}`);
    const fabrikam = other.json<{ case: { id: string } }>().case.id;
    const smallCase = await small.open();
    caseIds = [fresh, worked, resolved, fabrikam, smallCase];

    const root = { role: 'admin', id: 'root' } as const;
    const revoked = await f.services.tokens.issue(root, { role: 'agent', name: 'gone' });
    const spare = await f.services.tokens.issue(root, { role: 'agent', name: 'spare' });
    if (!revoked.ok || !spare.ok) throw new Error('token setup failed');
    revokedToken = revoked.value.token;
    spareTokenId = spare.value.info.tokenId;
    const revocation = await f.services.tokens.revoke(root, revoked.value.info.tokenId);
    if (!revocation.ok) throw revocation.error;
  });
  afterAll(async () => {
    await Promise.all([f.close(), small.close()]);
  });

  const person = () => fc.constantFrom(...persons);

  /**
   * Mostly a real token (half of them `favourite`'s: the role a route serves, so requests get
   * past authorization often enough); sometimes none, garbage, or a revoked or mangled one.
   */
  const auth = (favourite?: Person): fc.Arbitrary<Auth> => {
    const token = person().map((who) => f.tokens[who]);
    const someone = favourite === undefined ? person() : fc.oneof(person(), fc.constant(favourite));
    return fc.oneof(
      { weight: 16, arbitrary: someone.map((who) => ({ who })) },
      { weight: 1, arbitrary: fc.constant({ who: undefined }) },
      {
        weight: 2,
        arbitrary: fc
          .oneof(
            headerText(),
            headerText().map((t) => `Bearer ${t}`),
            fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((t) => `Bearer dkt_${t}`),
            fc.constant(`Bearer ${revokedToken}`),
            token.map((t) => `Bearer ${t}x`),
            token.map((t) => `Bearer ${t.slice(0, -1)}`),
            token.map((t) => `Bearer ${t} `),
            token.map((t) => `Bearer ${t} ${t}`),
            token.map((t) => `Basic ${Buffer.from(`root:${t}`).toString('base64')}`),
            token.map((t) => t),
            token.map((t) => `bearer\t${t}`),
            fc.constantFrom('', 'Bearer', 'Bearer ', `Bearer ${'a'.repeat(600)}`, 'Bearer dkt_'),
          )
          .map((authorization) => ({ who: undefined, authorization })),
      },
    );
  };

  const headerValue = (valid: fc.Arbitrary<string>): fc.Arbitrary<string | string[] | undefined> =>
    fc.oneof(
      { weight: 10, arbitrary: fc.constant(undefined) },
      { weight: 3, arbitrary: valid },
      { weight: 2, arbitrary: headerText() },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(201), '9'.repeat(12)) },
      { weight: 1, arbitrary: fc.array(valid, { minLength: 2, maxLength: 2 }) },
    );
  const idempotency = () => headerValue(fc.stringMatching(/^[A-Za-z0-9._:~-]{1,40}$/));
  const ifMatch = () =>
    headerValue(
      fc.oneof(
        fc.nat({ max: 12 }).map((n) => `"${n}"`),
        fc.nat({ max: 12 }).map((n) => `W/"${n}"`),
        fc.nat({ max: 12 }).map(String),
        fc.constantFrom('*', '"-1"', '"1.5"', '"0x1"', '"1"', ' "0" '),
      ),
    );

  const probe = (
    a: Auth,
    method: Method,
    url: string,
    body: Body = {},
    extra: Record<string, string | string[] | undefined> = {},
  ): Probe => {
    const headers: Record<string, string | string[]> = {};
    if (a.authorization !== undefined) headers.authorization = a.authorization;
    if (body.contentType !== undefined) headers['content-type'] = body.contentType;
    if (body.contentLength !== undefined) headers['content-length'] = body.contentLength;
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) headers[k] = v;
    return {
      who: a.who,
      method,
      url,
      headers,
      ...(body.payload === undefined ? {} : { payload: body.payload }),
    };
  };

  const caseId = () => idSegment(fc.constantFrom(...caseIds), /^[A-Za-z0-9][A-Za-z0-9._~-]{0,40}$/);
  const tenantId = () =>
    idSegment(fc.constantFrom('contoso', 'fabrikam'), /^[a-z0-9][a-z0-9-]{0,62}$/);

  /**
   * Sends `numRuns` probes through the invariants; returns the outcomes seen, so a test can check
   * the fuzzing reached past the front door (some accepted, some refused for each reason).
   */
  const check = async (
    fixture: HttpFixture,
    probes: fc.Arbitrary<Probe>,
    numRuns: number,
  ): Promise<Set<Outcome>> => {
    const seen = new Set<Outcome>();
    await fc.assert(
      // Only URLs a client can send at all (`/\\` is not one: it names no host).
      fc.asyncProperty(probes.filter(sendable), async (p) => {
        seen.add((await send(fixture, p)).outcome);
      }),
      // Probes change the app's state, so shrinking would replay them against another app: report
      // the first failure as it happened.
      { seed: SEED, numRuns, endOnFailure: true },
    );
    return seen;
  };
  const expectSeen = (seen: Set<Outcome>, outcomes: readonly Outcome[]) =>
    expect([...seen].sort()).toEqual(expect.arrayContaining([...outcomes]));

  it('POST /cases', async () => {
    const valid = fc.constantFrom<Obj>(
      openBody,
      { ...openBody, severity: 'A', businessImpact: 'the whole company is down' },
      {
        ...openBody,
        severity: 'C',
        impact: { services: 'impaired', users: 'one', workaround: true },
        contact: { name: 'Cy', phone: '+86 10 1234 5678' },
      },
    );
    const probes = fc
      .tuple(auth('ada'), bodies(valid), idempotency())
      .map(([a, body, key]) => probe(a, 'POST', '/cases', body, { 'idempotency-key': key }));
    const seen = await check(f, probes, 700);
    expectSeen(seen, [
      '201',
      '400 validation',
      '401 unauthenticated',
      '403 forbidden',
      '415 unsupported-media-type',
    ]);
  });

  it('POST /cases/:id/<command>, for every command', async () => {
    // Half the tokens are of the role the command serves, so probes get past the role check.
    const probes = fc
      .constantFrom(...httpCaseCommands)
      .chain((command) =>
        fc.tuple(
          fc.constant(command),
          auth(commandRoles[command].includes('agent') ? 'li' : 'ada'),
          caseId(),
          idempotency(),
          ifMatch(),
        ),
      )
      .chain(([command, a, id, key, revision]) =>
        bodies(fc.constant(caseBodies[command])).map((body) =>
          probe(a, 'POST', `/cases/${id}/${command}`, body, {
            'idempotency-key': key,
            'if-match': revision,
          }),
        ),
      );
    const seen = await check(f, probes, 2_000);
    expectSeen(seen, [
      '400 validation',
      '401 unauthenticated',
      '403 forbidden',
      '404 not-found',
      '409 conflict',
    ]);
  });

  it('well-formed commands from every actor drive fresh cases through their lifecycle', async () => {
    // Bodies the schemas accept, so the requests reach the case machine: who may do what, in
    // which state, at which revision, with which retried key.
    const text = (max: number) =>
      fc
        .oneof(
          { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
          { weight: 1, arbitrary: fc.constant('x'.repeat(max)) },
          { weight: 1, arbitrary: fc.constantFrom(' padded ', 'é', '😀', '中文', 'a\u0301') },
        )
        .filter((t) => t.trim().length > 0);
    const severity = fc.constantFrom('A', 'B', 'C');
    const valid: Record<(typeof httpCaseCommands)[number], fc.Arbitrary<Obj>> = {
      assign: fc
        .oneof(fc.constantFrom('li', 'mei', 'rex', 'ada'), text(200))
        .map((agent) => ({ agent })),
      respond: text(20_000).map((message) => ({ message })),
      requestInfo: text(20_000).map((message) => ({ message })),
      customerReply: text(20_000).map((message) => ({ message })),
      changeSeverity: fc
        .tuple(severity, text(2_000))
        .map(([s, reason]) => ({ severity: s, reason })),
      addNote: text(20_000).map((t) => ({ text: t })),
      resolve: fc
        .tuple(
          fc.constantFrom(
            'fixed',
            'advice-given',
            'out-of-scope-third-party',
            'out-of-scope-customer-network',
            'duplicate',
          ),
          text(20_000),
        )
        .map(([reason, summary]) => ({ reason, summary })),
      withdraw: text(2_000).map((reason) => ({ reason })),
      reopen: text(2_000).map((reason) => ({ reason })),
      submitSurvey: fc
        .tuple(
          fc.integer({ min: 1, max: 5 }),
          fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
        )
        .map(([rating, comment]) => (comment === undefined ? { rating } : { rating, comment })),
    };
    const actor = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom<Person>('li', 'mei', 'ada', 'cy') },
      { weight: 1, arbitrary: person() },
    );
    const step = fc
      .tuple(
        fc.constantFrom(...httpCaseCommands),
        actor,
        fc.nat({ max: 9 }), // 0–7: this run's case; 8–9: one of the shared cases
        sometimes(30, fc.constantFrom('k1', 'k2', 'k3')), // retries, and keys reused across commands
        sometimes(25, fc.nat({ max: 8 })), // If-Match
        sometimes(30, fc.integer({ min: 1, max: 86_400_000 })), // time passes: deadlines move
      )
      .chain(([command, who, target, key, revision, wait]) =>
        valid[command].map((body) => ({ command, who, target, key, revision, wait, body })),
      );
    const opening = fc
      .tuple(
        fc.constantFrom<Person>('ada', 'ada', 'bo'),
        fc.constantFrom('A', 'B', 'C'),
        fc.constantFrom(
          ['technical', 'sso'],
          ['technical', 'exchange-autodiscover'],
          ['billing', 'trial-signup'],
          ['presales', 'plan-comparison'],
        ),
      )
      .map(([who, severity, [line, category]]) =>
        probe({ who }, 'POST', '/cases', json({ ...openBody, severity, line, category })),
      );
    const seen = new Set<Outcome>();
    await fc.assert(
      fc.asyncProperty(
        opening,
        fc.array(step, { minLength: 4, maxLength: 14 }),
        async (open, steps) => {
          const opened = await send(f, open);
          seen.add(opened.outcome);
          // A refused open (severity A without the advanced agreement, …) leaves an unknown id.
          const mine =
            opened.outcome === '201'
              ? (JSON.parse(opened.body) as { case: { id: string } }).case.id
              : 'never-opened';
          for (const s of steps) {
            if (s.wait !== undefined) f.clock.advanceTo(f.clock.now() + s.wait);
            const id = s.target < 8 ? mine : caseIds[s.target % caseIds.length];
            const { outcome } = await send(
              f,
              probe({ who: s.who }, 'POST', `/cases/${id}/${s.command}`, json(s.body), {
                'idempotency-key': s.key,
                'if-match': s.revision === undefined ? undefined : `"${s.revision}"`,
              }),
            );
            seen.add(outcome);
          }
        },
      ),
      { seed: SEED, numRuns: 150, endOnFailure: true },
    );
    expectSeen(seen, [
      '200',
      '201',
      '403 forbidden',
      '404 not-found',
      '409 conflict',
      '409 invalid-transition',
    ]);
  });

  it('GET /cases/:id and GET /cases/:id/events', async () => {
    const probes = fc
      .tuple(
        auth(),
        fc.constantFrom('', '/events', '/events/', '/'),
        fc.constantFrom<Method>('GET', 'GET', 'GET', 'HEAD'),
        caseId(),
        queryText(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))),
        strayBodies,
      )
      .map(([a, suffix, method, id, query, body]) =>
        probe(a, method, `/cases/${id}${suffix}${query}`, body),
      );
    const seen = await check(f, probes, 400);
    expectSeen(seen, ['200', '400 validation', '403 forbidden', '404 not-found']);
  });

  it('GET /offerings and GET /offerings/:id/lines with random query strings', async () => {
    const params = fc.oneof(
      instantText.map((at): [string, string] => ['at', encodeURIComponent(at)]),
      instantText.map((at): [string, string] => ['at', at]),
      fc
        .oneof(
          fc.constantFrom('US', 'CA', 'AU', 'UK', 'us', 'CN', '', 'x'.repeat(21)),
          fc.string({ maxLength: 25 }).map(encodeURIComponent),
        )
        .map((r): [string, string] => ['region', r]),
      fc
        .tuple(
          fc.oneof(fc.constantFrom('x', 'at[]', 'region[]', '__proto__', 'AT'), fc.string()),
          fc.string({ maxLength: 8 }),
        )
        .map(([k, v]): [string, string] => [encodeURIComponent(k), encodeURIComponent(v)]),
    );
    const offering = idSegment(
      fc.constantFrom('21vianet', 'office365-germany', 'business'),
      /^[a-z0-9-]{1,30}$/,
    );
    const probes = fc
      .tuple(
        auth(),
        fc.oneof(
          { weight: 1, arbitrary: fc.constant('/offerings') },
          { weight: 5, arbitrary: offering.map((id) => `/offerings/${id}/lines`) },
        ),
        queryText(params),
        fc.constantFrom<Method>('GET', 'GET', 'GET', 'HEAD'),
        strayBodies,
      )
      .map(([a, path, query, method, body]) => probe(a, method, `${path}${query}`, body));
    const seen = await check(f, probes, 600);
    expectSeen(seen, ['200', '400 validation', '404 not-found']);
  });

  it('POST, GET and PATCH /tenants; GET /tenants/:id', async () => {
    const newTenant = fc
      .tuple(
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
        fc.constantFrom('21vianet', 'office365-germany', 'business'),
        fc.boolean(),
        fc.option(fc.constantFrom('US', 'CA', 'XX'), { nil: undefined }),
      )
      .map(([id, offering, advancedAgreement, region]): Obj => ({
        id,
        offering,
        advancedAgreement,
        ...(region === undefined ? {} : { region }),
      }));
    const patch = fc.constantFrom<Obj>(
      { advancedAgreement: true },
      { advancedAgreement: false },
      { region: 'US' },
      { advancedAgreement: true, region: 'CA' },
    );
    const probes = fc.oneof(
      fc
        .tuple(auth('root'), bodies(newTenant))
        .map(([a, body]) => probe(a, 'POST', '/tenants', body)),
      fc
        .tuple(auth('root'), tenantId(), bodies(patch))
        .map(([a, id, body]) => probe(a, 'PATCH', `/tenants/${id}`, body)),
      fc
        .tuple(auth('root'), fc.constantFrom('/tenants', '/tenants/'), strayBodies)
        .map(([a, path, body]) => probe(a, 'GET', path, body)),
      fc
        .tuple(auth('root'), tenantId(), strayBodies)
        .map(([a, id, body]) => probe(a, 'GET', `/tenants/${id}`, body)),
    );
    const seen = await check(f, probes, 600);
    expectSeen(seen, ['200', '201', '400 validation', '403 forbidden', '404 not-found']);
  });

  it('POST and GET /tokens; DELETE /tokens/:id', async () => {
    const request = fc
      .tuple(
        fc.constantFrom('agent', 'auditor', 'reporter', 'admin', 'customer-user', 'customer-admin'),
        fc.option(fc.constantFrom('contoso', 'fabrikam', 'nowhere'), { nil: undefined }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,20}$/), { nil: undefined }),
      )
      .map(([role, tenant, name]): Obj => ({
        role,
        ...(tenant === undefined ? {} : { tenant }),
        ...(name === undefined ? {} : { name }),
      }));
    // Never the people's own token ids: revoking those would lock the fuzzing out.
    const tokenId = idSegment(fc.oneof(fc.uuid(), fc.constant(spareTokenId)), /^[0-9a-f-]{36}$/);
    const probes = fc.oneof(
      fc.tuple(auth('root'), bodies(request)).map(([a, body]) => probe(a, 'POST', '/tokens', body)),
      fc.tuple(auth('root'), strayBodies).map(([a, body]) => probe(a, 'GET', '/tokens', body)),
      fc
        .tuple(auth('root'), tokenId, strayBodies)
        .map(([a, id, body]) => probe(a, 'DELETE', `/tokens/${id}`, body)),
    );
    const seen = await check(f, probes, 500);
    expectSeen(seen, ['200', '201', '400 validation', '403 forbidden', '404 not-found']);
  });

  it('GET /health, GET /openapi.json, and routes that do not exist', async () => {
    const known = [
      '/health',
      '/openapi.json',
      '/cases',
      '/cases/',
      '//cases',
      '/CASES',
      '/offerings',
      '/tenants',
      '/tokens',
      '/docs',
      '/docs/',
      '/docs/json',
      '/docs/static/index.html',
      '/docs/%ZZ',
      '/docs/..%2F..%2Fpackage.json',
      '/console',
      '/console/',
      '/console/assets/none.js',
      '/console/%ZZ',
      '/console/..%2F..%2Fpackage.json',
      '/console/../../package.json',
      '/health/',
      '/health%00',
      '/openapi.json?x=1',
      '/%',
      '/%ZZ',
      '/\u00e9',
      '/*',
      `/${'a'.repeat(3_000)}`,
      '/cases/x/y/z',
    ];
    const path = fc.oneof(
      fc.constantFrom(...known),
      fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
      fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => `/${s}`),
      fc
        .tuple(
          caseId(),
          fc.constantFrom('checkAutoClose', 'checkResponseDeadline', 'open', 'x', ''),
        )
        .map(([id, command]) => `/cases/${id}/${command}`),
      fc
        .tuple(caseId(), fc.string({ maxLength: 12 }))
        .map(([id, s]) => `/cases/${id}/${encodeURIComponent(s)}`),
    );
    const probes = fc
      .tuple(
        auth(),
        fc.constantFrom<Method>('GET', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
        path,
        fc.oneof(strayBodies, bodies(fc.constant<Obj>({ a: 1 }))),
      )
      .map(([a, method, url, body]) => probe(a, method, url, body));
    const seen = await check(f, probes, 600);
    expectSeen(seen, ['200', '400 bad-request', '404 not-found']);
  });

  it('malformed percent-encoding and over-long ids are problems too', async () => {
    const cases = [
      ['GET', `/cases/${'x'.repeat(110)}`, '404 not-found'], // a legal id (up to 128): unknown
      ['GET', `/cases/${'x'.repeat(129)}`, '400 validation'],
      ['GET', `/cases/${'x'.repeat(5_000)}/events`, '400 validation'],
      ['POST', `/cases/${'x'.repeat(300)}/assign`, '400 validation'],
      ['DELETE', `/tokens/${'0'.repeat(200)}`, '400 validation'],
      ['GET', '/cases/%E0%A4%A', '400 bad-request'],
      ['POST', '/cases/%ZZ/assign', '400 bad-request'],
      ['GET', '/tenants/%', '400 bad-request'],
    ] as const;
    for (const [method, url, outcome] of cases) {
      const body = method === 'POST' ? json({ agent: 'li' }) : {};
      expect((await send(f, probe({ who: 'li' }, method, url, body))).outcome, url).toBe(outcome);
    }
  });

  it('bodies over the body limit are 413 problems and record nothing', async () => {
    const smallCase = caseIds[4] ?? 'missing';
    const routes = fc.constantFrom<[Method, string]>(
      ['POST', '/cases'],
      ...httpCaseCommands.map((c): [Method, string] => ['POST', `/cases/${smallCase}/${c}`]),
      ['POST', '/cases/no-such-case/assign'],
      ['POST', '/tenants'],
      ['PATCH', '/tenants/contoso'],
      ['POST', '/tokens'],
    );
    const oversize = fc
      .tuple(fc.integer({ min: 4_097, max: 40_000 }), fc.constantFrom('object', 'string', 'array'))
      .map(([size, shape]) => {
        const fill = (n: number) => 'a'.repeat(Math.max(0, n));
        if (shape === 'object') return `{"description":"${fill(size - 18)}"}`;
        if (shape === 'string') return `"${fill(size - 2)}"`;
        return `[${Array.from({ length: Math.ceil(size / 2) }, () => '1').join(',')}]`;
      });
    const strict = fc
      .tuple(
        person(),
        routes,
        oversize,
        fc.constantFrom(JSON_TYPE, 'application/json; charset=utf-8'),
      )
      .map(([who, [method, url], payload, contentType]) =>
        probe({ who }, method, url, { payload, contentType }),
      );
    await fc.assert(
      fc.asyncProperty(strict, async (p) => {
        const { outcome } = await send(small, p);
        expect(outcome, `${p.method} ${p.url}`).toBe('413 payload-too-large');
      }),
      { seed: SEED, numRuns: 150, endOnFailure: true },
    );

    // A Content-Length that claims too much is refused before the body is read.
    const claimed = fc
      .tuple(person(), routes, fc.integer({ min: 4_097, max: 2 ** 31 }))
      .map(([who, [method, url], length]) =>
        probe({ who }, method, url, {
          payload: '{}',
          contentType: JSON_TYPE,
          contentLength: String(length),
        }),
      );
    await fc.assert(
      fc.asyncProperty(claimed, async (p) => {
        expect((await send(small, p)).outcome).toBe('413 payload-too-large');
      }),
      { seed: SEED, numRuns: 50, endOnFailure: true },
    );

    // Anything else oversized: random auth, content types and routes; the invariants only.
    const mixed = fc
      .tuple(auth(), routes, oversize, oddContentType)
      .map(([a, [method, url], payload, contentType]) =>
        probe(a, method, url, { payload, contentType }),
      );
    await check(small, mixed, 150);
  });
});
