import { hash } from 'node:crypto';
import type { NewEvent } from './eventStore.js';

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped,
 * `toJSON` honoured and numbers written as JSON.stringify writes them: a value and its JSON
 * round trip give the same bytes, in any store.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value) ?? 'null';
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += item === undefined ? 'null' : canonicalJson(item);
    }
    return out + ']';
  }
  // Written with plain loops: this runs for every event hashed or verified. Keys parsed from
  // canonical JSON come back sorted, so the sort is usually a single pass.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(byCodeUnit);
  let out = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (out.length > 1) out += ',';
    out += JSON.stringify(key) + ':' + canonicalJson(member);
  }
  return out + '}';
};

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What the hash covers: everything an auditor needs to trust, chained to the previous hash. */
export interface HashInput {
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly event: NewEvent;
  readonly previousHash: string;
}

/** The same input with data and metadata already in canonical JSON. */
export interface CanonicalHashInput {
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly canonicalData: string;
  readonly canonicalMetadata: string;
  readonly previousHash: string;
}

/**
 * The hash recipe (also in docs/auditing.md): SHA-256, lower-case hex, of the canonical JSON of
 * `{ streamId, revision, eventId, type, schemaVersion, data, metadata, previousHash }` where
 * `metadata` is the envelope metadata without `previousHash` and `hash`. The members are written
 * here in canonical (sorted) order.
 */
export const canonicalEventHash = (i: CanonicalHashInput): string =>
  hash(
    'sha256',
    `{"data":${i.canonicalData},"eventId":${JSON.stringify(i.eventId)},` +
      `"metadata":${i.canonicalMetadata},"previousHash":${JSON.stringify(i.previousHash)},` +
      `"revision":${JSON.stringify(i.revision)},"schemaVersion":${JSON.stringify(i.schemaVersion)},` +
      `"streamId":${JSON.stringify(i.streamId)},"type":${JSON.stringify(i.type)}}`,
    'hex',
  );

export const eventHash = ({
  streamId,
  revision,
  eventId,
  event,
  previousHash,
}: HashInput): string =>
  canonicalEventHash({
    streamId,
    revision,
    eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    canonicalData: canonicalJson(event.data),
    canonicalMetadata: canonicalJson(event.metadata),
    previousHash,
  });
