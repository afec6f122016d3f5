import { DocketError, ErrorCode, isDocketError } from '../domain/docketError.js';
import type { NewEvent, RecordedEvent } from '../domain/recordedEvent.js';

export type {
  EventMetadata,
  NewEvent,
  RecordedEvent,
  RecordedMetadata,
} from '../domain/recordedEvent.js';

/**
 * The event store port. Streams are named `<category>-<id>` (`case-c1`); revisions count from
 * 0 within a stream; positions order every event of the store. Adapters: SQLite (embedded
 * default), EventStoreDB (production), memory (simulations, tests). One contract suite
 * (`test/contract/eventStore.contract.ts`) runs against each.
 */
export interface EventStore {
  append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * Every event, stream after stream: streams in ascending order of their ids (ids are ASCII,
   * so code-unit and byte order agree), each stream in revision order. One pass with memory
   * flat, for whoever checks streams whole (`docket audit verify --all`).
   */
  readByStream(options?: ReadByStreamOptions): AsyncIterable<RecordedEvent>;
  /** How many events the store holds, where the store can tell cheaply. */
  countEvents?(): Promise<number>;
  /** History after `after` (exclusive; from the start if omitted), then live events, in order. */
  subscribe(options?: SubscribeOptions): EventSubscription;
  close(): Promise<void>;
}

/** `no-stream`: must not exist; `exists`: must exist; `any`: no check; a number: the last revision. */
export type ExpectedRevision = 'no-stream' | 'exists' | 'any' | number;

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event of the stream after the append. */
  readonly nextRevision: number;
  /** Position of the last event appended (or of the earlier append, for a duplicate). */
  readonly position: bigint;
  /** True when the command id was already recorded: nothing was appended. */
  readonly duplicate: boolean;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive; default: the first (forwards) or last (backwards) event. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Exclusive: events strictly after (forwards) or before (backwards) this position. */
  readonly after?: bigint;
  readonly maxCount?: number;
}

/** Bounds on the stream ids `readByStream` reads, so several readers can share a store. */
export interface ReadByStreamOptions {
  /** Inclusive. */
  readonly fromStreamId?: string;
  /** Exclusive. */
  readonly toStreamId?: string;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events strictly after this position. */
  readonly after?: bigint;
}

export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  /**
   * The same events, a page at a time, for a consumer that reads fast (the projector): one
   * asynchronous step per page instead of one per event. Stores that read pages offer it.
   * Read a subscription one way or the other, not both.
   */
  pages?(): AsyncIterable<readonly RecordedEvent[]>;
  close(): Promise<void>;
}

export const GENESIS_HASH = '0'.repeat(64);

export const inStreamRange = (
  streamId: string,
  { fromStreamId, toStreamId }: ReadByStreamOptions,
) =>
  (fromStreamId === undefined || streamId >= fromStreamId) &&
  (toStreamId === undefined || streamId < toStreamId);

/** A stream id: `<category>-<id>`, lower-case category, id of letters, digits, `.`, `_`, `~`, `-`. */
export const STREAM_ID_PATTERN = /^[a-z][a-z0-9]{0,31}-[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$/;

export class WrongExpectedRevisionError extends DocketError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's last revision, or -1 if it does not exist. */
    readonly actual: number,
  ) {
    super(
      ErrorCode.conflict,
      `stream ${streamId} is at revision ${actual < 0 ? '(none)' : actual}, expected ${String(expected)}`,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * Whether an append was refused because the stream is not at the expected revision: the one
 * refusal a store makes with the code `conflict` (checked by code, not class).
 */
export const isWrongExpectedRevision = (error: unknown): error is WrongExpectedRevisionError =>
  isDocketError(error) && error.code === ErrorCode.conflict;

export class InvalidStreamIdError extends DocketError {
  constructor(readonly streamId: string) {
    super(
      ErrorCode.validation,
      `invalid stream id ${JSON.stringify(streamId)}: expected <category>-<id>, e.g. case-c1 (letters, digits, . _ ~ - only)`,
      [{ path: 'streamId', message: 'not a valid stream id' }],
    );
    this.name = 'InvalidStreamIdError';
  }
}

/** Throws InvalidStreamIdError unless `streamId` is a valid stream id. */
export const assertStreamId = (streamId: string): void => {
  if (!STREAM_ID_PATTERN.test(streamId)) throw new InvalidStreamIdError(streamId);
};

/** Whether a stream at `actual` (-1: none) satisfies `expected`. */
export const revisionMatches = (expected: ExpectedRevision, actual: number): boolean =>
  expected === 'any' ||
  (expected === 'no-stream' && actual < 0) ||
  (expected === 'exists' && actual >= 0) ||
  expected === actual;
