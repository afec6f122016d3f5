import { createHash } from 'node:crypto';
import type { NewEvent } from './eventStore.js';

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped,
 * numbers as JSON.stringify writes them. The same value gives the same bytes in any store.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value))
    return `[${value.map((v: unknown) => canonicalJson(v ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
};

/** What the hash covers: everything an auditor needs to trust, chained to the previous hash. */
export interface HashInput {
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly event: NewEvent;
  readonly previousHash: string;
}

/**
 * The hash recipe (also in docs/auditing.md): SHA-256, lower-case hex, of the canonical JSON of
 * `{ streamId, revision, eventId, type, schemaVersion, data, metadata, previousHash }` where
 * `metadata` is the envelope metadata without `previousHash` and `hash`.
 */
export const eventHash = ({
  streamId,
  revision,
  eventId,
  event,
  previousHash,
}: HashInput): string =>
  createHash('sha256')
    .update(
      canonicalJson({
        streamId,
        revision,
        eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: event.metadata,
        previousHash,
      }),
    )
    .digest('hex');
