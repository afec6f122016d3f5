import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, eventHash } from '../../src/application/eventHash.js';

const event = (data: unknown) => ({
  type: 'NoteAdded',
  schemaVersion: 1,
  data,
  metadata: {
    commandId: 'c',
    causationId: 'c',
    correlationId: 'c',
    actor: { role: 'agent', id: 'li' },
    occurredAt: '2026-11-23T02:00:00.000Z',
  },
});

/** The recipe of docs/auditing.md written as plainly as possible: the spec canonicalJson keeps to. */
const reference = (value: unknown): string => {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value) ?? 'null';
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return reference((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) return `[${value.map((v: unknown) => reference(v ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
};

describe('event hash', () => {
  it('canonical JSON: keys sorted by code unit, undefined dropped, as the plain recipe', () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.string(),
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.date({ noInvalidDate: true }),
        fc.bigInt(),
      ),
      node: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('node'), { maxLength: 5 }),
        fc.dictionary(fc.string({ unit: 'binary' }), tie('node'), { maxKeys: 6 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 1_000 },
    );
  });

  it('is SHA-256 of the canonical JSON of the whole event (the documented recipe)', () => {
    const input = {
      streamId: 'case-c1',
      revision: 3,
      eventId: 'e-1',
      event: event({ b: 1, a: [1, 'x'] }),
      previousHash: '0'.repeat(64),
    };
    const { event: e, ...rest } = input;
    const recipe = canonicalJson({
      ...rest,
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: e.data,
      metadata: e.metadata,
    });
    expect(eventHash(input)).toBe(createHash('sha256').update(recipe).digest('hex'));
  });

  it('is the same for a value and its JSON round trip (what every store reads back)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.date({ noInvalidDate: true }), (value, date) => {
        const data = { value, date, missing: undefined };
        const roundTrip: unknown = JSON.parse(JSON.stringify(data));
        expect(canonicalJson(roundTrip)).toBe(canonicalJson(data));
        const at = { streamId: 'case-c1', revision: 0, eventId: 'e', previousHash: '' };
        expect(eventHash({ ...at, event: event(roundTrip) })).toBe(
          eventHash({ ...at, event: event(data) }),
        );
      }),
    );
  });
});
