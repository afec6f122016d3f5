import type { EventSubscription, RecordedEvent } from '../application/eventStore.js';

/**
 * Catch-up-then-live subscriptions for stores that live in this process (memory, SQLite):
 * each subscriber reads batches after its own checkpoint and waits for a notification (or
 * the next poll, for writers in other processes) when it has caught up. Reading by position
 * means no event is skipped and none is delivered twice.
 */
export class LiveFeed {
  readonly #waiters = new Set<() => void>();
  readonly #subscriptions = new Set<{ close(): Promise<void> }>();

  constructor(
    private readonly readAfter: (position: bigint, limit: number) => RecordedEvent[],
    private readonly pollMs?: number,
  ) {}

  /** New events were committed: wake the subscribers. */
  notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  subscribe(after: bigint, batchSize = 1_000): EventSubscription {
    let checkpoint = after;
    let closed = false;
    let wakeCurrent: (() => void) | undefined;
    const waiters = this.#waiters;
    const pollMs = this.pollMs;
    const readAfter = this.readAfter;
    const subscriptions = this.#subscriptions;
    async function* pages() {
      while (!closed) {
        const page = readAfter(checkpoint, batchSize);
        if (page.length === 0) {
          await new Promise<void>((resolve) => {
            const timer = pollMs === undefined ? undefined : setTimeout(wake, pollMs);
            function wake() {
              if (timer !== undefined) clearTimeout(timer);
              waiters.delete(wake);
              wakeCurrent = undefined;
              resolve();
            }
            wakeCurrent = wake;
            waiters.add(wake);
          });
          continue;
        }
        checkpoint = page[page.length - 1]!.position;
        yield page;
      }
    }
    const subscription: EventSubscription = {
      async *[Symbol.asyncIterator]() {
        for await (const page of pages()) {
          for (const event of page) {
            if (closed) return;
            yield event;
          }
        }
      },
      pages,
      close() {
        closed = true;
        wakeCurrent?.();
        subscriptions.delete(subscription);
        return Promise.resolve();
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  closeAll(): void {
    for (const subscription of [...this.#subscriptions]) void subscription.close();
  }
}
