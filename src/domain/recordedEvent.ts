/*
 * A stored event as every layer sees it: what an append carries and what a read returns. The
 * event store port (src/application/eventStore.ts) moves these; projections fold them.
 */

/** What the caller appends; the store adds id, revision, position and the hash chain. */
export interface NewEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/**
 * The envelope's metadata: who did it (`actor`), when (`occurredAt`), under which command
 * (`commandId`, which makes appends idempotent) and in which chain of commands (`causationId`,
 * `correlationId`); case events also name their case, policy version and machine version.
 */
export interface EventMetadata {
  readonly commandId: string;
  readonly causationId: string;
  readonly correlationId: string;
  readonly actor: {
    readonly role: string;
    readonly id: string;
    readonly tenant?: string;
    readonly tokenId?: string;
  };
  /** ISO 8601, UTC, millisecond precision. */
  readonly occurredAt: string;
  readonly caseId?: string;
  readonly policyVersion?: string;
  readonly machineVersion?: number;
}

export interface RecordedEvent {
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: bigint;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: RecordedMetadata;
  /**
   * The stored JSON texts of `data` and of the metadata without its hashes, given by adapters
   * that store them as written (the SQLite store, on `readByStream`). When they are canonical
   * JSON, a verifier can hash them as they are instead of serialising the parsed values again.
   */
  readonly storedJson?: { readonly data: string; readonly metadata: string };
}

export interface RecordedMetadata extends EventMetadata {
  /** Hash of the previous event of the stream (64 zeros for the first). */
  readonly previousHash: string;
  /** SHA-256 of this event's canonical form, chained to `previousHash` (see eventHash.ts). */
  readonly hash: string;
}
