import {
  START,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type ReadPosition,
} from '@eventstore/db-client';
import type { EventSubscription, RecordedEvent } from '../application/eventStore.js';
import { toEventStoreError } from './esdbErrors.js';
import { isBeyond, toRecordedEvent, type EsdbRecorded } from './esdbMapping.js';

/** Events per page at most: a long history comes in several pages, as from the other stores. */
const MAX_PAGE = 500;

/**
 * One subscription: resolves its start lazily, on the first `next()`, then hands on what the
 * client has buffered a page at a time (`pages()`, for the projector) or event by event.
 */
export class EsdbSubscription implements EventSubscription {
  readonly #after: bigint | undefined;
  readonly #resolveStart: (after: bigint) => Promise<ReadPosition>;
  readonly #open: (from: ReadPosition) => AllStreamSubscription;
  readonly #accept: (event: EsdbRecorded) => boolean;
  readonly #onClose: () => void;
  readonly #pages: AsyncGenerator<RecordedEvent[]>;
  readonly #events: AsyncGenerator<RecordedEvent>;
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
    this.#pages = this.#read();
    this.#events = this.#oneByOne();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.#events;
  }

  pages(): AsyncIterable<readonly RecordedEvent[]> {
    return { [Symbol.asyncIterator]: () => this.#pages };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#onClose();
    // Unsubscribing ends the client's stream, which ends a read waiting for a live event.
    await this.#live?.unsubscribe();
    await this.#events.return(undefined);
    await this.#pages.return(undefined);
  }

  async *#oneByOne(): AsyncGenerator<RecordedEvent> {
    for await (const page of this.#pages) yield* page;
  }

  async *#read(): AsyncGenerator<RecordedEvent[]> {
    const after = this.#after;
    const from = after === undefined ? START : await this.#resolveStart(after);
    if (this.#closed) return;
    const live = this.#open(from);
    this.#live = live;
    let failure: unknown;
    let ended = false;
    let wake: (() => void) | undefined;
    const signal = () => {
      wake?.();
      wake = undefined;
    };
    live.on('readable', signal);
    live.on('error', (error: unknown) => {
      failure = error;
      signal();
    });
    for (const end of ['end', 'close']) {
      live.on(end, () => {
        ended = true;
        signal();
      });
    }
    try {
      for (;;) {
        const page: RecordedEvent[] = [];
        while (page.length < MAX_PAGE) {
          const item: unknown = live.read();
          if (item === null) break;
          const event = (item as AllStreamResolvedEvent).event;
          if (event === undefined || !this.#accept(event)) continue;
          // ESDB starts a subscription after the given position; the bound also covers a start
          // at an earlier record (see EsdbAllReader.startingPoint) and is cheap.
          if (isBeyond(event.position.commit, after)) page.push(toRecordedEvent(event));
        }
        if (page.length > 0) {
          yield page;
          continue;
        }
        if (failure !== undefined) throw toEventStoreError(failure);
        if (ended || this.#closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      await live.unsubscribe();
    }
  }
}
