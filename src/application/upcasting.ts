import type { EventStore, EventSubscription, RecordedEvent } from './eventStore.js';

/** Turns one stored schema version of an event type into the next. Pure. */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  /** The new data; `event` gives the envelope (occurred-at, metadata) for context. */
  upcast(data: unknown, event: RecordedEvent): unknown;
}

/**
 * Applies registered upcasters on read, version by version, so old events come out in today's
 * shape. Stored events (and their hashes) are never rewritten.
 */
export class UpcasterRegistry {
  readonly #byKey = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const upcaster of upcasters) {
      const key = `${upcaster.type}@${upcaster.fromVersion}`;
      if (this.#byKey.has(key)) throw new Error(`two upcasters for ${key}`);
      this.#byKey.set(key, upcaster);
    }
  }

  upcast(event: RecordedEvent): RecordedEvent {
    let current = event;
    for (
      let upcaster = this.#byKey.get(`${current.type}@${current.schemaVersion}`);
      upcaster !== undefined;
      upcaster = this.#byKey.get(`${current.type}@${current.schemaVersion}`)
    ) {
      current = {
        ...current,
        schemaVersion: current.schemaVersion + 1,
        data: upcaster.upcast(current.data, current),
      };
    }
    return current;
  }
}

const mapIterable = async function* (
  source: AsyncIterable<RecordedEvent>,
  registry: UpcasterRegistry,
) {
  for await (const event of source) yield registry.upcast(event);
};

/** The store, with every read and subscription passed through the upcasters. */
export const withUpcasting = (store: EventStore, registry: UpcasterRegistry): EventStore => ({
  append: (streamId, events, options) => store.append(streamId, events, options),
  readStream: (streamId, options) => mapIterable(store.readStream(streamId, options), registry),
  readAll: (options) => mapIterable(store.readAll(options), registry),
  readByStream: (options) => mapIterable(store.readByStream(options), registry),
  ...(store.countEvents === undefined ? {} : { countEvents: () => store.countEvents!() }),
  subscribe: (options): EventSubscription => {
    const subscription = store.subscribe(options);
    const pages = subscription.pages?.bind(subscription);
    return {
      [Symbol.asyncIterator]: () => mapIterable(subscription, registry)[Symbol.asyncIterator](),
      ...(pages === undefined
        ? {}
        : {
            pages: async function* () {
              for await (const page of pages()) yield page.map((e) => registry.upcast(e));
            },
          }),
      close: () => subscription.close(),
    };
  },
  close: () => store.close(),
});
