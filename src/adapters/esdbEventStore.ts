import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  streamNameFilter,
  type ReadRevision,
} from '@eventstore/db-client';
import {
  assertStreamId,
  GENESIS_HASH,
  revisionMatches,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventSubscription,
  type NewEvent,
  inStreamRange,
  type ReadAllOptions,
  type ReadByStreamOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../application/eventStore.js';
import {
  DEFAULT_STREAM_PREFIXES,
  isDocketEvent,
  isEsdbStreamNotFound,
  prepareAppend,
  toEsdbExpectedRevision,
  toRecordedEvent,
  toWrongExpectedRevision,
} from './esdbMapping.js';
import { EsdbAllReader } from './esdbAllReader.js';
import { drain } from './esdbDrain.js';
import { EsdbSubscription } from './esdbSubscription.js';

/**
 * The EventStoreDB adapter of the event store port (the production store). Thin: mapping lives in
 * esdbMapping.ts; see docs/eventstoredb.md for the layout and what only a real server can check.
 *
 * Connection and reconnection are the client's (`@eventstore/db-client` 6.x, read in
 * dist/Client/index.js): one gRPC channel per client, opened lazily; when a call fails with
 * UNAVAILABLE, CANCELLED (server side) or NotLeader, the client closes the channel and the *next*
 * call opens a new one — for a cluster (`esdb+discover://` or several hosts) after gossip
 * discovery, for NotLeader straight to the leader it names. The failed call itself is not retried
 * and a subscription that fails ends with the error: the caller retries, and a subscriber
 * resubscribes from the position of the last event it handled. Keep-alive pings (10 s by default,
 * `keepAliveInterval`/`keepAliveTimeout` in the connection string) detect dead connections.
 */

/** The part of the client the adapter uses (tests pass a fake). */
export type EsdbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'
>;

export interface EsdbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false`; see the client's connection string docs. */
  readonly connectionString: string;
  /** Stream-name prefixes `readAll` and `subscribe` deliver; default `['case-', 'directory-']`. */
  readonly streamPrefixes?: readonly string[];
}

export interface EsdbTuning {
  /** Raw `$all` records per read request (system events included); at least 2. Default 500. */
  readonly pageSize?: number;
  /** Read/append cycles for 'any'/'exists' appends that lose races to other writers. Default 10. */
  readonly appendAttempts?: number;
}

export const openEsdbEventStore = (options: EsdbEventStoreOptions): EsdbEventStore =>
  new EsdbEventStore(
    EventStoreDBClient.connectionString(options.connectionString),
    options.streamPrefixes,
  );

/** What the adapter needs to know about a stream before appending. */
interface StreamState {
  readonly lastRevision: number;
  readonly lastHash: string;
  readonly lastPosition: bigint | undefined;
  /** The last event recorded with the command id, if any: the earlier append's result. */
  readonly duplicateAt: { readonly revision: number; readonly position: bigint } | undefined;
}

export class EsdbEventStore implements EventStore {
  readonly #client: EsdbClient;
  readonly #prefixes: readonly string[];
  readonly #pageSize: number;
  readonly #appendAttempts: number;
  readonly #subscriptions = new Set<EsdbSubscription>();
  readonly #all: EsdbAllReader;

  constructor(
    client: EsdbClient,
    streamPrefixes: readonly string[] = DEFAULT_STREAM_PREFIXES,
    tuning: EsdbTuning = {},
  ) {
    if (streamPrefixes.length === 0 || streamPrefixes.some((p) => p === '' || p.startsWith('$'))) {
      throw new Error('streamPrefixes: give at least one non-empty prefix that is not a $-prefix');
    }
    this.#client = client;
    this.#prefixes = [...streamPrefixes];
    this.#pageSize = tuning.pageSize ?? 500;
    this.#appendAttempts = tuning.appendAttempts ?? 10;
    // A page starts at the previous page's last record: one record per page would never advance.
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 2) {
      throw new Error('pageSize: an integer of at least 2');
    }
    if (!Number.isInteger(this.#appendAttempts) || this.#appendAttempts < 1) {
      throw new Error('appendAttempts: an integer of at least 1');
    }
    this.#all = new EsdbAllReader(client, this.#prefixes, this.#pageSize);
  }

  /**
   * Reads the stream (one backwards read: last revision and hash, then the command id), checks
   * the caller's expectation, and appends expecting exactly the revision it read. Idempotency
   * costs a scan of the stream on every append: case streams are short (tens of events).
   */
  async append(
    streamId: string,
    events: readonly NewEvent[],
    { expectedRevision }: AppendOptions,
  ): Promise<AppendResult> {
    assertStreamId(streamId);
    const commandId = events[0]?.metadata.commandId;
    for (let attempt = 1; ; attempt++) {
      const state = await this.#streamState(streamId, commandId);
      if (state.duplicateAt !== undefined) {
        const { revision, position } = state.duplicateAt;
        return { nextRevision: revision, position, duplicate: true };
      }
      if (!revisionMatches(expectedRevision, state.lastRevision)) {
        throw new WrongExpectedRevisionError(streamId, expectedRevision, state.lastRevision);
      }
      if (events.length === 0) {
        return {
          nextRevision: state.lastRevision,
          position: state.lastPosition ?? 0n,
          duplicate: false,
        };
      }
      const data = prepareAppend({
        streamId,
        events,
        lastRevision: state.lastRevision,
        lastHash: state.lastHash,
        newId: randomUUID,
      });
      let conflict: WrongExpectedRevisionError | undefined;
      try {
        const result = await this.#client.appendToStream(streamId, data, {
          expectedRevision: toEsdbExpectedRevision(state.lastRevision),
        });
        if (result.success) {
          const nextRevision = Number(result.nextExpectedRevision);
          // One event: the append's position is that event's. Several: read the last one's
          // position rather than rely on which event the server's single position names.
          const position =
            events.length === 1 && result.position !== undefined
              ? result.position.commit
              : await this.#positionAt(streamId, nextRevision);
          return { nextRevision, position, duplicate: false };
        }
        // `throwOnAppendFailure=false` in the connection string: the client reports the conflict
        // instead of throwing it. Run the cycle again: the next read decides, as below.
      } catch (error) {
        conflict = toWrongExpectedRevision(error, streamId, expectedRevision);
        if (conflict === undefined) throw error;
        // 'any'/'exists' held when the adapter read the stream: the race was the adapter's own
        // (another writer between its read and its append), so read, hash and append again.
        const ours = expectedRevision === 'any' || expectedRevision === 'exists';
        if (!ours) throw conflict;
      }
      if (attempt >= this.#appendAttempts) {
        throw (
          conflict ?? new WrongExpectedRevisionError(streamId, expectedRevision, state.lastRevision)
        );
      }
    }
  }

  async *readStream(
    streamId: string,
    options: ReadStreamOptions = {},
  ): AsyncIterable<RecordedEvent> {
    assertStreamId(streamId);
    const { maxCount, fromRevision } = options;
    if (maxCount !== undefined && maxCount <= 0) return;
    const backwards = options.direction === 'backwards';
    let from: ReadRevision = backwards ? END : START;
    if (fromRevision !== undefined) {
      if (fromRevision < 0 && backwards) return;
      if (fromRevision >= 0) from = BigInt(fromRevision);
    }
    yield* this.#streamEvents(streamId, backwards, from, maxCount);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const max = options.maxCount ?? Infinity;
    if (max <= 0) return;
    let count = 0;
    for await (const event of this.#all.events(options.direction ?? 'forwards', options.after)) {
      yield event;
      if (++count >= max) return;
    }
  }

  /**
   * ESDB has no index by stream name: the ids are gathered from `$all` first (memory grows
   * with the number of streams, ids only), then each stream is read in turn.
   */
  async *readByStream(options: ReadByStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const ids = new Set<string>();
    for await (const event of this.#all.events('forwards', undefined))
      if (inStreamRange(event.streamId, options)) ids.add(event.streamId);
    for (const streamId of [...ids].sort()) yield* this.readStream(streamId);
  }

  /**
   * A catch-up subscription to `$all`, filtered on the server by stream-name prefix: ESDB sends
   * the history after the start position, then live events, on one call. Checkpoint messages of
   * the filtered subscription never reach the iterator (the client hands them to a callback).
   */
  subscribe(options: SubscribeOptions = {}): EventSubscription {
    const subscription = new EsdbSubscription(
      options.after,
      (after) => this.#all.startingPoint(after, 'forwards'),
      (from) =>
        this.#client.subscribeToAll({
          fromPosition: from,
          resolveLinkTos: false,
          filter: streamNameFilter({ prefixes: [...this.#prefixes] }),
        }),
      (event) => isDocketEvent(event, this.#prefixes),
      () => this.#subscriptions.delete(subscription),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    await this.#client.dispose();
  }

  async #streamState(streamId: string, commandId: string | undefined): Promise<StreamState> {
    let last: RecordedEvent | undefined;
    let duplicateAt: { revision: number; position: bigint } | undefined;
    const maxCount = commandId === undefined ? 1 : undefined;
    for await (const event of this.#streamEvents(streamId, true, END, maxCount)) {
      last ??= event;
      if (event.metadata.commandId === commandId) {
        // Read backwards, the first match is the last event the earlier command appended.
        duplicateAt = { revision: event.revision, position: event.position };
        break;
      }
    }
    return {
      lastRevision: last?.revision ?? -1,
      lastHash: last?.metadata.hash ?? GENESIS_HASH,
      lastPosition: last?.position,
      duplicateAt,
    };
  }

  async #positionAt(streamId: string, revision: number): Promise<bigint> {
    for await (const event of this.#streamEvents(streamId, false, BigInt(revision), 1)) {
      return event.position;
    }
    throw new Error(`${streamId}@${revision} was appended but cannot be read back`);
  }

  async *#streamEvents(
    streamId: string,
    backwards: boolean,
    fromRevision: ReadRevision,
    maxCount: number | undefined,
  ): AsyncGenerator<RecordedEvent> {
    const read = this.#client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision,
      resolveLinkTos: false,
      ...(maxCount === undefined ? {} : { maxCount }),
    });
    try {
      for await (const resolved of drain(read)) {
        if (resolved.event !== undefined) yield toRecordedEvent(resolved.event);
      }
    } catch (error) {
      if (!isEsdbStreamNotFound(error)) throw error;
    }
  }
}
