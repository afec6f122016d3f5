import type { Actor } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import type { WebhookEndpoint, WebhookEndpoints } from './webhookEndpoints.js';
import type { WebhookAttempt, WebhookDelivery, WebhookOutbox } from './webhookOutbox.js';
import {
  defaultWebhookRetryPolicy,
  retryDelay,
  type WebhookRetryPolicy,
} from './webhookRetries.js';
import type { WebhookRequest, WebhookResponse, WebhookSender } from './webhookSender.js';
import { signWebhook } from './webhookSignature.js';

/** The engine's own actor, recorded when it disables an endpoint that keeps failing. */
export const webhookDelivererActor: Actor = { role: 'timer', id: 'webhook-deliverer' };

export interface WebhookDispatcherOptions {
  readonly outbox: WebhookOutbox;
  /** The endpoints as the log says now, and a way to disable one (WebhookRegistry). */
  readonly endpoints: {
    all(): Promise<WebhookEndpoints>;
    disable(actor: Actor, id: string, reason: 'failing'): Promise<unknown>;
  };
  readonly sender: WebhookSender;
  readonly clock: Clock;
  /** @defaultValue defaultWebhookRetryPolicy */
  readonly retry?: WebhookRetryPolicy;
  /** In [0, 1): the jitter of retries. @defaultValue Math.random */
  readonly random?: () => number;
  /** Attempts in flight at once, at most. @defaultValue 32 */
  readonly concurrency?: number;
  /**
   * An endpoint whose attempts have all failed for this long is disabled (as is one that
   * answers 410 Gone). @defaultValue 259200000 (3 days)
   */
  readonly disableAfterMs?: number;
  /** How often an idle dispatcher looks for due deliveries (others may redeliver). @defaultValue 1000 */
  readonly pollMs?: number;
  /**
   * What is sent for a delivery. @defaultValue the webhook request: a POST of the payload to
   * the endpoint's URL, signed (Standard Webhooks). The e-mail channel sends the payload as is.
   */
  readonly request?: (
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    timestampSeconds: number,
  ) => WebhookRequest;
  /** Told of each attempt (logs, metrics). */
  readonly onAttempt?: (delivery: WebhookDelivery, attempt: WebhookAttempt) => void;
  /** Told when an endpoint is disabled for failing. */
  readonly onDisabled?: (endpoint: WebhookEndpoint, why: string) => void;
  readonly onError?: (error: unknown) => void;
}

/** A delivery as a signed webhook POST to its endpoint. */
const webhookRequest = (
  endpoint: WebhookEndpoint,
  delivery: WebhookDelivery,
  timestamp: number,
): WebhookRequest => ({
  url: endpoint.url,
  body: delivery.payload,
  headers: {
    'content-type': 'application/json',
    'user-agent': 'Docket-Webhooks/1',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(endpoint.secret, delivery.id, timestamp, delivery.payload),
  },
});

const isSuccess = (response: WebhookResponse): boolean =>
  'status' in response && response.status >= 200 && response.status < 300;

const isPermanent = (response: WebhookResponse): boolean =>
  'status' in response && response.permanent === true;

const describe = (response: WebhookResponse): string | null =>
  'error' in response
    ? response.error
    : isSuccess(response)
      ? null
      : `the endpoint answered ${response.status}${isPermanent(response) ? ', a permanent refusal' : ''}`;

/**
 * Sends the outbox's due deliveries, signed (Standard Webhooks), `concurrency` at a time;
 * records each attempt; schedules a failed one again after a jittered exponential wait, or
 * dead-letters it after the last try; disables an endpoint that keeps failing. Deliveries to a
 * disabled endpoint wait until it is enabled again. At least once: an attempt cut short by a
 * crash is made again, with the same `webhook-id`.
 */
export class WebhookDispatcher {
  readonly #o: WebhookDispatcherOptions;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Endpoints whose last attempt here succeeded (no failure streak to end). */
  readonly #healthy = new Set<string>();
  #known: WebhookEndpoints | undefined;
  /** The last look for due deliveries found fewer than it could take. */
  #drained = true;
  #knownAt = 0;
  #closed = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#o = options;
  }

  /** Sends every delivery due now, and waits for the answers; returns how many were tried. */
  async runDue(): Promise<number> {
    this.#known = undefined;
    let tried = 0;
    for (;;) {
      const started = await this.#fill();
      if (started === 0) break;
      tried += started;
      await Promise.all(this.#inFlight.values());
    }
    await Promise.all(this.#inFlight.values());
    return tried;
  }

  /** Keeps sending in the background until closed: at once when woken, else when next due. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * While a backlog is being sent, the loop looks for more once a quarter of the slots are free,
   * not at every answer: one query for several attempts.
   */
  #slotFreed(): void {
    const free = this.#concurrency - this.#inFlight.size;
    if (this.#drained || free >= Math.max(1, this.#concurrency / 4)) this.wake();
  }

  /** New deliveries are due (the feeder wrote some). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Stops starting attempts and waits for those in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
    await Promise.all(this.#inFlight.values());
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      let waitMs = this.#pollMs;
      try {
        this.#woken = false;
        await this.#fill();
        // Every slot busy: an attempt that ends wakes the loop. Otherwise, what is pending and
        // not in flight is due later (or this fill would have taken it).
        if (this.#inFlight.size < this.#concurrency) {
          const next = await this.#o.outbox.nextDueAt(await this.#enabledIds(), [
            ...this.#inFlight.keys(),
          ]);
          if (next !== undefined)
            waitMs = Math.min(waitMs, Math.max(0, next - this.#o.clock.now()));
        }
      } catch (error) {
        this.#o.onError?.(error);
      }
      if (this.#woken || this.#closed) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  get #concurrency(): number {
    return this.#o.concurrency ?? 32;
  }

  /**
   * The endpoints, read again from the log at most every `pollMs` while running (an endpoint
   * disabled elsewhere gets at most that much more), and on every `runDue`.
   */
  async #endpoints(): Promise<WebhookEndpoints> {
    const now = performance.now();
    if (
      this.#known === undefined ||
      this.#loop === undefined ||
      now - this.#knownAt >= this.#pollMs
    ) {
      this.#known = await this.#o.endpoints.all();
      this.#knownAt = now;
    }
    return this.#known;
  }

  get #pollMs(): number {
    return this.#o.pollMs ?? 1_000;
  }

  async #enabledIds(): Promise<string[]> {
    const endpoints = await this.#endpoints();
    return [...endpoints.values()].filter((e) => e.disabled === undefined).map((e) => e.id);
  }

  /** Starts attempts on due deliveries into the free slots; returns how many it started. */
  async #fill(): Promise<number> {
    const free = this.#concurrency - this.#inFlight.size;
    if (free <= 0 || this.#closed) return 0;
    const endpoints = await this.#endpoints();
    const enabled = [...endpoints.values()].filter((e) => e.disabled === undefined);
    if (enabled.length === 0) return 0;
    const due = await this.#o.outbox.due(
      this.#o.clock.now(),
      enabled.map((e) => e.id),
      free,
      [...this.#inFlight.keys()],
    );
    this.#drained = due.length < free;
    for (const delivery of due) {
      const endpoint = endpoints.get(delivery.endpointId);
      if (endpoint === undefined) continue;
      const attempt = this.#attempt(endpoint, delivery)
        .catch((error: unknown) => this.#o.onError?.(error))
        .finally(() => {
          this.#inFlight.delete(delivery.id);
          this.#slotFreed();
        });
      this.#inFlight.set(delivery.id, attempt);
    }
    return due.length;
  }

  async #attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery): Promise<void> {
    const { clock } = this.#o;
    const timestamp = Math.floor(clock.now() / 1000);
    const response = await this.#o.sender.send(
      (this.#o.request ?? webhookRequest)(endpoint, delivery, timestamp),
    );
    const at = clock.now();
    const ok = isSuccess(response);
    const delay =
      ok || isPermanent(response)
        ? undefined
        : retryDelay(
            this.#o.retry ?? defaultWebhookRetryPolicy,
            delivery.tries + 1,
            this.#o.random ?? Math.random,
          );
    const attempt: WebhookAttempt = {
      at,
      status: 'status' in response ? response.status : null,
      error: describe(response),
      outcome: ok
        ? { kind: 'delivered' }
        : delay === undefined
          ? { kind: 'dead' }
          : { kind: 'retry', retryAt: at + delay },
    };
    await this.#o.outbox.record(delivery.id, attempt);
    this.#o.onAttempt?.(delivery, attempt);
    // A success ends a failure streak; one write per endpoint while it keeps succeeding.
    if (ok && this.#healthy.has(endpoint.id)) return;
    const since = await this.#o.outbox.failingSince(endpoint.id, at, ok);
    if (ok) this.#healthy.add(endpoint.id);
    else this.#healthy.delete(endpoint.id);
    const gone = 'status' in response && response.status === 410;
    const failingFor = since === undefined ? 0 : at - since;
    if (!ok && (gone || failingFor >= (this.#o.disableAfterMs ?? 259_200_000))) {
      await this.#o.endpoints.disable(webhookDelivererActor, endpoint.id, 'failing');
      this.#known = undefined;
      this.#o.onDisabled?.(
        endpoint,
        gone
          ? 'it answered 410 Gone'
          : `its attempts have failed for ${Math.round(failingFor / 3_600_000)} h`,
      );
    }
  }
}
