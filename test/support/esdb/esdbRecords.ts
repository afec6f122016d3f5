/** An event as a client proposes it (append, batch append). */
export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

/** An event in the test server's log: commit position = prepare position, as for every gRPC write. */
export interface LogRecord extends ProposedEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  /** Ticks (100 ns) since the Unix epoch, as the server's `created` metadata. */
  readonly created: bigint;
}

/** The server's expected versions (`ExpectedVersion` in EventStore.Core): -2 any, -1 no stream, -4 exists. */
export const ExpectedVersion = { any: -2n, noStream: -1n, streamExists: -4n } as const;

/** The last event number of a tombstoned stream (`EventNumber.DeletedStream`, long.MaxValue). */
export const DELETED_STREAM = 0x7fff_ffff_ffff_ffffn;

export type CommitOutcome =
  | { readonly kind: 'committed'; readonly lastRevision: bigint; readonly position: bigint }
  | { readonly kind: 'idempotent'; readonly lastRevision: bigint; readonly position: bigint }
  | { readonly kind: 'wrong-expected-version'; readonly current: bigint }
  | { readonly kind: 'deleted' };

export const isSystemStream = (streamId: string): boolean => streamId.startsWith('$');
export const metastreamOf = (streamId: string): string => `$$${streamId}`;

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** A JSON system event (`$metadata`, `$statsCollected`, …) as the server writes its own. */
export const systemEvent = (id: string, type: string, data: unknown): ProposedEvent => ({
  id,
  type,
  contentType: 'application/json',
  data: utf8(JSON.stringify(data)),
  metadata: new Uint8Array(),
});

/**
 * Bytes a record takes in the log: a fixed header plus its strings and payloads, so positions
 * are byte offsets that grow by different amounts (never dense), as the real transaction log's.
 */
export const recordSize = (streamId: string, event: ProposedEvent): bigint =>
  BigInt(
    88 +
      Buffer.byteLength(streamId) +
      Buffer.byteLength(event.type) +
      event.data.length +
      event.metadata.length,
  );
