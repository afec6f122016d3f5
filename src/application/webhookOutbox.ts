/** A delivery's state: waiting for an attempt, accepted by the endpoint, or given up. */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'dead';

/** One event to one endpoint: what the outbox holds, with its stable id. */
export interface NewWebhookDelivery {
  /** The same for every attempt (`webhook-id`): receivers deduplicate on it. */
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly caseId: string;
  /** The log position of the event. */
  readonly position: number;
  /** The request body, fixed when the delivery is made so that every attempt sends the same. */
  readonly payload: string;
}

export interface WebhookDelivery extends NewWebhookDelivery {
  readonly status: WebhookDeliveryStatus;
  /** Attempts made in all. */
  readonly attempts: number;
  /** Attempts since it was made or last redelivered (the retry schedule counts these). */
  readonly tries: number;
  /** Epoch ms; null unless pending. */
  readonly nextAttemptAt: number | null;
  readonly lastAttemptAt: number | null;
  /** The HTTP status of the last attempt (null: no answer). */
  readonly lastStatus: number | null;
  /** Why the last attempt failed: a status, a timeout, a refused address, a connection error. */
  readonly lastError: string | null;
  readonly deliveredAt: number | null;
  readonly createdAt: number;
}

/** The outcome of one attempt. */
export interface WebhookAttempt {
  readonly at: number;
  readonly status: number | null;
  readonly error: string | null;
  /** Delivered (`delivered`), to try again at `retryAt`, or given up (`dead`). */
  readonly outcome:
    | { readonly kind: 'delivered' }
    | { readonly kind: 'retry'; readonly retryAt: number }
    | { readonly kind: 'dead' };
}

/**
 * The webhook outbox: deliveries derived from the log, and the checkpoint up to which the log
 * has been turned into deliveries, in the read-model database (adapter:
 * src/adapters/webhookOutboxStore.ts; why there: docs/decisions/0006-webhook-outbox.md).
 */
export interface WebhookOutbox {
  /** Creates the tables if they are missing. */
  prepare(): Promise<void>;
  /** The log position up to which deliveries have been made (-1: none yet). */
  checkpoint(): Promise<number>;
  /**
   * In one transaction: adds the deliveries (one already there with the same id is left as it
   * is) and moves the checkpoint from `from` to `to`; throws `checkpoint-moved`, writing
   * nothing, if the checkpoint is not at `from` (another deliverer got there first).
   */
  enqueue(
    deliveries: readonly NewWebhookDelivery[],
    from: number,
    to: number,
    now: number,
  ): Promise<void>;
  /** Pending deliveries due at `now` to these endpoints, oldest first, but those `excluded`. */
  due(
    now: number,
    endpointIds: readonly string[],
    limit: number,
    excluded: readonly string[],
  ): Promise<WebhookDelivery[]>;
  /** When the next pending delivery to these endpoints, but those `excluded`, is due (undefined: none). */
  nextDueAt(
    endpointIds: readonly string[],
    excluded?: readonly string[],
  ): Promise<number | undefined>;
  /** Records an attempt on a delivery. */
  record(id: string, attempt: WebhookAttempt): Promise<void>;
  /**
   * Since when the endpoint's attempts have all failed: its failure streak begins with `at` if
   * none is running (returned as is otherwise); `ok` ends it.
   */
  failingSince(endpointId: string, at: number, ok: boolean): Promise<number | undefined>;
  /** An endpoint's deliveries, newest first. */
  list(
    endpointId: string,
    options: {
      readonly status?: WebhookDeliveryStatus;
      readonly limit: number;
      readonly before?: number;
    },
  ): Promise<WebhookDelivery[]>;
  /** Makes a delivery pending again, due at `now`, with a fresh retry schedule; false if none. */
  redeliver(endpointId: string, id: string, now: number): Promise<WebhookDelivery | undefined>;
}
