import { isWrongExpectedRevision, type EventStore, type NewEvent } from './eventStore.js';

/**
 * A small registry kept in one stream (`directory-tokens`, `directory-tenants`) and folded in
 * memory. `refresh()` reads only what was appended since the last read, so other processes'
 * changes arrive cheaply; `append()` decides on fresh state and retries when another writer
 * got in first.
 */
export class DirectoryStream<S> {
  #state: S;
  #revision = -1;

  constructor(
    private readonly store: EventStore,
    readonly streamId: string,
    initial: S,
    private readonly evolve: (state: S, type: string, data: unknown) => S,
  ) {
    this.#state = initial;
  }

  get state(): S {
    return this.#state;
  }

  async refresh(): Promise<S> {
    for await (const event of this.store.readStream(this.streamId, {
      fromRevision: this.#revision + 1,
    })) {
      this.#state = this.evolve(this.#state, event.type, event.data);
      this.#revision = event.revision;
    }
    return this.#state;
  }

  /**
   * Refreshes, asks `decide` for the events to append (or an outcome without events), and
   * appends them expecting the revision it decided on; a concurrent writer makes it decide again.
   */
  async append<R>(decide: (state: S) => { events: NewEvent[]; result: R }): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const { events, result } = decide(await this.refresh());
      if (events.length === 0) return result;
      try {
        await this.store.append(this.streamId, events, {
          expectedRevision: this.#revision < 0 ? 'no-stream' : this.#revision,
        });
        await this.refresh();
        return result;
      } catch (error) {
        if (!isWrongExpectedRevision(error) || attempt >= 10) throw error;
      }
    }
  }
}
