import type { Decider } from '../domain/decider.js';
import { isWrongExpectedRevision, type EventStore, type NewEvent } from './eventStore.js';

/** An event of a directory stream as its fold sees it. */
export interface DirectoryEvent {
  readonly type: string;
  readonly data: unknown;
}

/** How a directory stream folds: a decider's `initialState` and `evolve`. */
export type DirectoryFold<S> = Pick<
  Decider<S, never, DirectoryEvent, never>,
  'initialState' | 'evolve'
>;

/**
 * A small registry kept in one stream (`directory-tokens`, `directory-tenants`) and folded in
 * memory with a decider's `initialState` and `evolve`. `refresh()` reads only what was
 * appended since the last read, so other processes' changes arrive cheaply; `append()`
 * decides on fresh state and retries when another writer got in first. Its decisions also
 * return a result for the caller (a token, a tenant), so they are passed to `append` rather
 * than being one `decide` of the stream.
 */
export class DirectoryStream<S> {
  #state: S;
  #revision = -1;

  constructor(
    private readonly store: EventStore,
    readonly streamId: string,
    private readonly fold: DirectoryFold<S>,
  ) {
    this.#state = fold.initialState();
  }

  get state(): S {
    return this.#state;
  }

  async refresh(): Promise<S> {
    for await (const event of this.store.readStream(this.streamId, {
      fromRevision: this.#revision + 1,
    })) {
      this.#state = this.fold.evolve(this.#state, event);
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
