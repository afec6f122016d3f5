import { START, type AllStreamSubscription, type ReadPosition } from '@eventstore/db-client';
import type { EventSubscription, RecordedEvent } from '../application/eventStore.js';
import { toEventStoreError } from './esdbErrors.js';
import { isBeyond, toRecordedEvent, type EsdbRecorded } from './esdbMapping.js';

/** One subscription: resolves its start lazily, on the first `next()`. */
export class EsdbSubscription implements EventSubscription {
  readonly #after: bigint | undefined;
  readonly #resolveStart: (after: bigint) => Promise<ReadPosition>;
  readonly #open: (from: ReadPosition) => AllStreamSubscription;
  readonly #accept: (event: EsdbRecorded) => boolean;
  readonly #onClose: () => void;
  readonly #iterator: AsyncGenerator<RecordedEvent>;
  #live: AllStreamSubscription | undefined;
  #closed = false;

  constructor(
    after: bigint | undefined,
    resolveStart: (after: bigint) => Promise<ReadPosition>,
    open: (from: ReadPosition) => AllStreamSubscription,
    accept: (event: EsdbRecorded) => boolean,
    onClose: () => void,
  ) {
    this.#after = after;
    this.#resolveStart = resolveStart;
    this.#open = open;
    this.#accept = accept;
    this.#onClose = onClose;
    this.#iterator = this.#events();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.#iterator;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#onClose();
    // Unsubscribing ends the client's stream, which ends a `next()` waiting for a live event.
    await this.#live?.unsubscribe();
    await this.#iterator.return(undefined);
  }

  async *#events(): AsyncGenerator<RecordedEvent> {
    const after = this.#after;
    const from = after === undefined ? START : await this.#resolveStart(after);
    if (this.#closed) return;
    const live = this.#open(from);
    this.#live = live;
    try {
      for await (const resolved of live) {
        const event = resolved.event;
        if (event === undefined || !this.#accept(event)) continue;
        // ESDB starts a subscription after the given position; the bound also covers a start
        // at an earlier record (see #startingPoint) and is cheap.
        if (!isBeyond(event.position.commit, after)) continue;
        yield toRecordedEvent(event);
      }
    } catch (error) {
      throw toEventStoreError(error);
    } finally {
      await live.unsubscribe();
    }
  }
}
