import { FaultCode, isFault } from '../domain/docketError.js';
import type { Clock } from '../domain/clock.js';
import type { EventStore, EventSubscription, RecordedEvent } from './eventStore.js';
import type { NewWebhookDelivery, WebhookOutbox } from './webhookOutbox.js';

/** What a feed turns the log into: the deliveries of each event, from state it folds itself. */
export interface OutboxFanOut {
  /** Sets the state as the log stood at `position` (-1: the beginning), before following it. */
  restore(position: number): Promise<void>;
  /** The deliveries `event` makes (none for most), after folding it into the state. */
  deliveries(event: RecordedEvent): Promise<NewWebhookDelivery[]>;
}

export interface OutboxFeederOptions {
  readonly store: EventStore;
  readonly outbox: Pick<WebhookOutbox, 'prepare' | 'checkpoint' | 'enqueue'>;
  readonly fanOut: OutboxFanOut;
  readonly clock: Clock;
  /** How long an event may wait for others to join its transaction. @defaultValue 20 */
  readonly batchMs?: number;
  /** Events per transaction, at most. @defaultValue 1000 */
  readonly batchSize?: number;
  /** Told after each transaction that added deliveries (the dispatcher wakes up). */
  readonly onEnqueued?: () => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * An outbox's feed: a catch-up subscription to the log from the outbox's checkpoint, turning
 * each event into deliveries (`fanOut`), and writing each batch of deliveries with the
 * checkpoint in one transaction. The fan-out depends only on the log (it folds what it needs in
 * the same pass), so a crash between two batches makes the same deliveries again, with the same
 * ids, and they are kept once. Webhooks and e-mail each have one.
 */
export class OutboxFeeder {
  readonly #o: OutboxFeederOptions;
  #subscription: EventSubscription | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  /** The position the outbox's checkpoint stands at, as far as this feeder knows. */
  #written = -1;
  #waiters: Array<{ position: number; resolve: () => void }> = [];

  constructor(options: OutboxFeederOptions) {
    this.#o = options;
  }

  async start(): Promise<void> {
    await this.#o.outbox.prepare();
    this.#running = this.#run();
  }

  /** Resolves once the log up to `position` has been turned into deliveries. */
  async caughtUp(position: bigint | number): Promise<void> {
    const target = Number(position);
    if (this.#written >= target) return;
    await new Promise<void>((resolve) => this.#waiters.push({ position: target, resolve }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#subscription?.close();
    await this.#running;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      try {
        await this.#follow();
      } catch (error) {
        if (this.#closed) break;
        if (!isFault(error, FaultCode.checkpointMoved)) {
          this.#o.onError?.(error);
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    }
  }

  /** One run: from the stored checkpoint until the subscription ends or a write fails. */
  async #follow(): Promise<void> {
    const from = await this.#o.outbox.checkpoint();
    this.#advanced(from);
    await this.#o.fanOut.restore(from);
    const subscription = this.#o.store.subscribe(from < 0 ? {} : { after: BigInt(from) });
    this.#subscription = subscription;
    if (this.#closed) return subscription.close();
    const batch = new FeedBatch(this.#o, from, (to) => this.#advanced(to));
    const failed = batch.failed.then(async (error) => {
      await subscription.close();
      throw error;
    });
    const reading = (async () => {
      for await (const event of subscription) {
        batch.add(await this.#o.fanOut.deliveries(event));
        await batch.moved(Number(event.position));
      }
      await batch.flush();
    })();
    await Promise.race([reading, failed]);
  }

  #advanced(to: number): void {
    this.#written = to;
    this.#waiters = this.#waiters.filter((w) => (w.position <= to ? (w.resolve(), false) : true));
  }
}

/**
 * The deliveries of the events read since the last write, written together with the
 * checkpoint `batchMs` after the first of them, or at once when `batchSize` events wait.
 * Writes go one after the other; the first failure settles `failed`.
 */
class FeedBatch {
  #deliveries: NewWebhookDelivery[] = [];
  #events = 0;
  /** The checkpoint the next write continues from, and the position it moves it to. */
  #from: number;
  #to: number;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #fail!: (error: unknown) => void;
  readonly failed = new Promise<unknown>((resolve) => (this.#fail = resolve));

  constructor(
    private readonly o: OutboxFeederOptions,
    from: number,
    private readonly advanced: (to: number) => void,
  ) {
    this.#from = from;
    this.#to = from;
  }

  add(deliveries: readonly NewWebhookDelivery[]): void {
    this.#deliveries.push(...deliveries);
  }

  /** The log has been read up to `position`. */
  async moved(position: number): Promise<void> {
    this.#to = position;
    this.#events++;
    if (this.#events >= (this.o.batchSize ?? 1_000)) await this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.o.batchMs ?? 20);
  }

  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#to === this.#from) return this.#writing;
    const [deliveries, from, to] = [this.#deliveries, this.#from, this.#to];
    this.#deliveries = [];
    this.#events = 0;
    this.#from = to;
    this.#writing = this.#writing.then(async () => {
      try {
        await this.o.outbox.enqueue(deliveries, from, to, this.o.clock.now());
      } catch (error) {
        this.#fail(error);
        return;
      }
      this.advanced(to);
      if (deliveries.length > 0) this.o.onEnqueued?.();
    });
    return this.#writing;
  }
}
