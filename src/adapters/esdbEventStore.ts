import {
  END,
  EventStoreDBClient,
  START,
  streamNameFilter,
  type ReadRevision,
} from '@eventstore/db-client';
import {
  assertStreamId,
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
import { EsdbAllReader } from './esdbAllReader.js';
import { toEventStoreError } from './esdbErrors.js';
import { eventIdOf } from './esdbEventIds.js';
import {
  DOCKET_STREAM_REGEX,
  isDocketEvent,
  prepareAppend,
  toEsdbExpectedRevision,
  toWrongExpectedRevision,
} from './esdbMapping.js';
import { EsdbStreamReads } from './esdbStreamReads.js';
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

export interface EsdbTuning {
  /** Raw `$all` records per read request (system events included); at least 2. Default 500. */
  readonly pageSize?: number;
  /** Read/append cycles for 'any'/'exists' appends that lose races to other writers. Default 10. */
  readonly appendAttempts?: number;
}

export interface EsdbEventStoreOptions extends EsdbTuning {
  /** e.g. `esdb://localhost:2113?tls=false`; see the client's connection string docs. */
  readonly connectionString: string;
  /**
   * Stream-name prefixes `readAll` and `subscribe` deliver. Default: every stream whose name is
   * a port stream id (`<category>-<id>`), as the other adapters deliver every stream.
   */
  readonly streamPrefixes?: readonly string[];
}

export const openEsdbEventStore = ({
  connectionString,
  streamPrefixes,
  ...tuning
}: EsdbEventStoreOptions): EsdbEventStore =>
  new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), streamPrefixes, tuning);

/** An inclusive revision bound the client takes: a non-integer bound means the next revision inside it. */
const revisionBound = (revision: number, backwards: boolean): ReadRevision =>
  BigInt(backwards ? Math.floor(revision) : Math.ceil(revision));

export class EsdbEventStore implements EventStore {
  readonly #client: EsdbClient;
  readonly #prefixes: readonly string[] | undefined;
  readonly #appendAttempts: number;
  readonly #subscriptions = new Set<EsdbSubscription>();
  readonly #all: EsdbAllReader;
  readonly #streams: EsdbStreamReads;

  constructor(client: EsdbClient, streamPrefixes?: readonly string[], tuning: EsdbTuning = {}) {
    if (
      streamPrefixes !== undefined &&
      (streamPrefixes.length === 0 || streamPrefixes.some((p) => p === '' || p.startsWith('$')))
    ) {
      throw new Error('streamPrefixes: give at least one non-empty prefix that is not a $-prefix');
    }
    this.#client = client;
    this.#prefixes = streamPrefixes === undefined ? undefined : [...streamPrefixes];
    const pageSize = tuning.pageSize ?? 500;
    this.#appendAttempts = tuning.appendAttempts ?? 10;
    // A page starts at the previous page's last record: one record per page would never advance.
    if (!Number.isInteger(pageSize) || pageSize < 2) {
      throw new Error('pageSize: an integer of at least 2');
    }
    if (!Number.isInteger(this.#appendAttempts) || this.#appendAttempts < 1) {
      throw new Error('appendAttempts: an integer of at least 1');
    }
    this.#all = new EsdbAllReader(client, this.#prefixes, pageSize);
    this.#streams = new EsdbStreamReads(client);
  }

  /**
   * Reads what the append needs (esdbStreamReads.ts: the last event, and where the command was
   * recorded if it was), checks the caller's expectation, and appends expecting exactly the
   * revision it read. Event ids are derived from the stream, the command id and the index, so a
   * retry of an append whose answer was lost is recognised by the server itself.
   */
  async append(
    streamId: string,
    events: readonly NewEvent[],
    { expectedRevision }: AppendOptions,
  ): Promise<AppendResult> {
    assertStreamId(streamId);
    const commandId = events[0]?.metadata.commandId;
    for (let attempt = 1; ; attempt++) {
      const state = await this.#streams.stateForAppend(streamId, commandId, expectedRevision);
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
      let index = 0;
      const data = prepareAppend({
        streamId,
        events,
        lastRevision: state.lastRevision,
        lastHash: state.lastHash,
        newId: () => eventIdOf(streamId, events[index]!.metadata.commandId, index++),
      });
      let conflict: WrongExpectedRevisionError | undefined;
      try {
        const result = await this.#client.appendToStream(streamId, data, {
          expectedRevision: toEsdbExpectedRevision(state.lastRevision),
        });
        // The server answers with the position of the append's *last* event (docs/eventstoredb.md).
        if (result.success && result.position !== undefined) {
          const nextRevision = Number(result.nextExpectedRevision);
          return { nextRevision, position: result.position.commit, duplicate: false };
        }
        // `throwOnAppendFailure=false` in the connection string: the client reports the conflict
        // instead of throwing it. Run the cycle again: the next read decides, as below.
      } catch (error) {
        conflict = toWrongExpectedRevision(error, streamId, expectedRevision);
        if (conflict === undefined) throw toEventStoreError(error, streamId);
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
      if (fromRevision >= 0) from = revisionBound(fromRevision, backwards);
    }
    const count = maxCount === undefined ? undefined : Math.ceil(maxCount);
    yield* this.#streams.events(streamId, { backwards, from, maxCount: count });
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
   * A catch-up subscription to `$all`, filtered on the server by stream name: ESDB sends the
   * history after the start position, then live events, on one call. Checkpoint messages of
   * the filtered subscription never reach the iterator (the client hands them to a callback).
   */
  subscribe(options: SubscribeOptions = {}): EventSubscription {
    const prefixes = this.#prefixes;
    const subscription = new EsdbSubscription(
      options.after,
      (after) => this.#all.startingPoint(after, 'forwards'),
      (from) =>
        this.#client.subscribeToAll({
          fromPosition: from,
          resolveLinkTos: false,
          filter:
            prefixes === undefined
              ? streamNameFilter({ regex: DOCKET_STREAM_REGEX })
              : streamNameFilter({ prefixes: [...prefixes] }),
        }),
      (event) => isDocketEvent(event, prefixes),
      () => this.#subscriptions.delete(subscription),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    await this.#client.dispose();
  }
}
