import { randomUUID } from 'node:crypto';
import { eventHash } from '../application/eventHash.js';
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
import { LiveFeed } from './liveFeed.js';

/** An event store in memory: `docket simulate`, tests. Same contract as the durable adapters. */
export class MemoryEventStore implements EventStore {
  readonly #all: RecordedEvent[] = [];
  readonly #streams = new Map<string, RecordedEvent[]>();
  readonly #feed = new LiveFeed((after, limit) => this.#after(after, limit));

  // eslint-disable-next-line @typescript-eslint/require-await
  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    return this.#append(streamId, events, options);
  }

  #append(
    streamId: string,
    events: readonly NewEvent[],
    { expectedRevision }: AppendOptions,
  ): AppendResult {
    assertStreamId(streamId);
    const stream = this.#streams.get(streamId) ?? [];
    const commandId = events[0]?.metadata.commandId;
    const earlier =
      commandId === undefined ? [] : stream.filter((e) => e.metadata.commandId === commandId);
    const last = earlier.at(-1);
    if (last !== undefined)
      return { nextRevision: last.revision, position: last.position, duplicate: true };
    const actual = stream.length - 1;
    if (!revisionMatches(expectedRevision, actual)) {
      throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
    }
    let previousHash = stream.at(-1)?.metadata.hash ?? GENESIS_HASH;
    for (const event of events) {
      const revision = stream.length;
      const eventId = randomUUID();
      const hash = eventHash({ streamId, revision, eventId, event, previousHash });
      const recorded: RecordedEvent = {
        eventId,
        streamId,
        revision,
        position: BigInt(this.#all.length + 1),
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: structuredClone(event.data),
        metadata: { ...structuredClone(event.metadata), previousHash, hash },
      };
      stream.push(recorded);
      this.#all.push(recorded);
      previousHash = hash;
    }
    this.#streams.set(streamId, stream);
    this.#feed.notify();
    return {
      nextRevision: stream.length - 1,
      position: BigInt(this.#all.length),
      duplicate: false,
    };
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *readStream(
    streamId: string,
    options: ReadStreamOptions = {},
  ): AsyncIterable<RecordedEvent> {
    assertStreamId(streamId);
    const stream = this.#streams.get(streamId) ?? [];
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? stream.length - 1 : 0);
    const selected = backwards ? stream.slice(0, from + 1).reverse() : stream.slice(from);
    yield* selected.slice(0, options.maxCount ?? Infinity);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    const selected = backwards
      ? this.#all.filter((e) => options.after === undefined || e.position < options.after).reverse()
      : this.#after(options.after ?? 0n);
    yield* selected.slice(0, options.maxCount ?? Infinity);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *readByStream(options: ReadByStreamOptions = {}): AsyncIterable<RecordedEvent> {
    for (const streamId of [...this.#streams.keys()].sort()) {
      if (!inStreamRange(streamId, options)) continue;
      yield* this.#streams.get(streamId)!;
    }
  }

  countEvents(): Promise<number> {
    return Promise.resolve(this.#all.length);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return this.#feed.subscribe(options.after ?? 0n);
  }

  close(): Promise<void> {
    this.#feed.closeAll();
    return Promise.resolve();
  }

  #after(position: bigint, limit = Infinity): RecordedEvent[] {
    const start = Number(position);
    return this.#all.slice(start, start + limit);
  }
}
