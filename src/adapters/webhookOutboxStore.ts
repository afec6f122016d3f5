/*
 * Over 300 lines, on purpose: one adapter for one table, the `WebhookOutbox` port's SQL on
 * SQLite and PostgreSQL (its schema, the batch written with its checkpoint, the due query, the
 * attempts, the delivery log and redelivery), whose statements share the table's shape and the
 * dialect switches; splitting it would scatter one table's statements across files.
 */
import { sql, type Kysely } from 'kysely';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import { checkpointMoved } from '../application/projectionCheckpoints.js';
import type {
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookOutbox,
} from '../application/webhookOutbox.js';

interface WebhookOutboxTable {
  name: string;
  position: number;
  updated_at: number;
}

interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  case_id: string;
  position: number;
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  tries: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
}

interface WebhookEndpointHealthTable {
  endpoint_id: string;
  failing_since: number;
}

type WebhookTables = {
  webhook_outbox: WebhookOutboxTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_endpoint_health: WebhookEndpointHealthTable;
};

/** Rows per insert: 16 columns each, well under SQLite's limit on bound parameters. */
const CHUNK = 500;

const toDelivery = (r: WebhookDeliveriesTable): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  caseId: r.case_id,
  position: Number(r.position),
  payload: r.payload,
  status: r.status,
  attempts: Number(r.attempts),
  tries: Number(r.tries),
  nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
  lastAttemptAt: r.last_attempt_at === null ? null : Number(r.last_attempt_at),
  lastStatus: r.last_status === null ? null : Number(r.last_status),
  lastError: r.last_error,
  deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
  createdAt: Number(r.created_at),
});

export interface WebhookOutboxStoreOptions {
  /** PostgreSQL: tables are created under an advisory lock (several processes start at once). */
  readonly lock?: boolean;
  /**
   * The feed whose checkpoint this store moves: each feed (webhooks, e-mail) follows the log
   * on its own; their deliveries share the table, told apart by endpoint id.
   * @defaultValue 'webhooks'
   */
  readonly feed?: string;
  /**
   * Where the feed starts when it has no checkpoint yet. @defaultValue -1 (the beginning of the
   * log: webhooks go only to endpoints registered before an event anyway). E-mail starts at the
   * head of the log, so that turning it on does not mail about every past event.
   */
  readonly startAt?: () => Promise<number>;
}

/**
 * The webhook outbox in three tables of the read-model database (SQLite or PostgreSQL):
 * `webhook_outbox` (the feed's checkpoint), `webhook_deliveries` (one row per event and
 * endpoint: its payload, state and last attempt) and `webhook_endpoint_health` (since when an
 * endpoint's attempts have all failed). They are not projections: a rebuild leaves them alone.
 */
export class WebhookOutboxStore implements WebhookOutbox {
  readonly #db: Kysely<ReadModelDatabase & WebhookTables>;
  readonly #feed: string;
  #prepared: Promise<void> | undefined;
  /** The attempts waiting for the next group commit. */
  #records:
    | { attempts: Array<{ id: string; attempt: WebhookAttempt }>; written: Promise<void> }
    | undefined;

  constructor(
    db: Kysely<ReadModelDatabase>,
    private readonly options: WebhookOutboxStoreOptions = {},
  ) {
    this.#db = db.withTables<WebhookTables>();
    this.#feed = options.feed ?? 'webhooks';
  }

  /** Prepares once (again after a failure): for readers that may come before the deliverer. */
  #ready(): Promise<void> {
    return (this.#prepared ??= this.prepare().catch((error: unknown) => {
      this.#prepared = undefined;
      throw error;
    }));
  }

  async prepare(): Promise<void> {
    const start = (await this.options.startAt?.()) ?? -1;
    await this.#db.transaction().execute(async (db) => {
      if (this.options.lock === true)
        await sql`select pg_advisory_xact_lock(hashtext('docket-webhooks'))`.execute(db);
      await db.schema
        .createTable('webhook_outbox')
        .ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('position', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('position', 'bigint', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('tries', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due_at')
        .ifNotExists()
        .on('webhook_deliveries')
        // In the order `due` reads them, so that it stops at its limit without sorting.
        .columns(['status', 'next_attempt_at', 'position'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_endpoint')
        .ifNotExists()
        .on('webhook_deliveries')
        .columns(['endpoint_id', 'position'])
        .execute();
      await db.schema
        .createTable('webhook_endpoint_health')
        .ifNotExists()
        .addColumn('endpoint_id', 'text', (c) => c.primaryKey())
        .addColumn('failing_since', 'bigint', (c) => c.notNull())
        .execute();
      await db
        .insertInto('webhook_outbox')
        .values({ name: this.#feed, position: start, updated_at: 0 })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    });
  }

  async checkpoint(): Promise<number> {
    const row = await this.#db
      .selectFrom('webhook_outbox')
      .select('position')
      .where('name', '=', this.#feed)
      .executeTakeFirst();
    return row === undefined ? -1 : Number(row.position);
  }

  async enqueue(
    deliveries: readonly NewWebhookDelivery[],
    from: number,
    to: number,
    now: number,
  ): Promise<void> {
    await this.#db.transaction().execute(async (db) => {
      const moved = await db
        .updateTable('webhook_outbox')
        .set({ position: to, updated_at: now })
        .where('name', '=', this.#feed)
        .where('position', '=', from)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) throw checkpointMoved(`the ${this.#feed} outbox`);
      for (let i = 0; i < deliveries.length; i += CHUNK) {
        await db
          .insertInto('webhook_deliveries')
          .values(
            deliveries.slice(i, i + CHUNK).map((d) => ({
              id: d.id,
              endpoint_id: d.endpointId,
              event_id: d.eventId,
              event_type: d.eventType,
              case_id: d.caseId,
              position: d.position,
              payload: d.payload,
              status: 'pending' as const,
              attempts: 0,
              tries: 0,
              next_attempt_at: now,
              last_attempt_at: null,
              last_status: null,
              last_error: null,
              delivered_at: null,
              created_at: now,
            })),
          )
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
    });
  }

  async due(
    now: number,
    endpointIds: readonly string[],
    limit: number,
    excluded: readonly string[],
  ): Promise<WebhookDelivery[]> {
    if (endpointIds.length === 0 || limit <= 0) return [];
    let query = this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where('endpoint_id', 'in', endpointIds);
    if (excluded.length > 0) query = query.where('id', 'not in', excluded);
    const rows = await query.orderBy('next_attempt_at').orderBy('position').limit(limit).execute();
    return rows.map(toDelivery);
  }

  async nextDueAt(
    endpointIds: readonly string[],
    excluded: readonly string[] = [],
  ): Promise<number | undefined> {
    if (endpointIds.length === 0) return undefined;
    let query = this.#db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.min('next_attempt_at').as('next'))
      .where('status', '=', 'pending')
      .where('endpoint_id', 'in', endpointIds);
    if (excluded.length > 0) query = query.where('id', 'not in', excluded);
    const row = await query.executeTakeFirst();
    return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
  }

  /**
   * Attempts recorded in the same turn of the event loop are written in one transaction (a
   * group commit): each call resolves once its own is committed.
   */
  record(id: string, attempt: WebhookAttempt): Promise<void> {
    this.#records ??= { attempts: [], written: new Promise((resolve) => setImmediate(resolve)) };
    const batch = this.#records;
    batch.attempts.push({ id, attempt });
    if (batch.attempts.length === 1)
      batch.written = batch.written.then(() => {
        this.#records = undefined;
        return this.#db.transaction().execute(async (db) => {
          for (const one of batch.attempts) await this.#recordOne(db, one.id, one.attempt);
        });
      });
    return batch.written;
  }

  async #recordOne(
    db: Kysely<ReadModelDatabase & WebhookTables>,
    id: string,
    attempt: WebhookAttempt,
  ): Promise<void> {
    const { outcome } = attempt;
    await db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        tries: eb('tries', '+', 1),
        last_attempt_at: attempt.at,
        last_status: attempt.status,
        last_error: attempt.error,
        status: outcome.kind === 'retry' ? 'pending' : outcome.kind,
        next_attempt_at: outcome.kind === 'retry' ? outcome.retryAt : null,
        ...(outcome.kind === 'delivered' ? { delivered_at: attempt.at } : {}),
      }))
      .where('id', '=', id)
      .execute();
  }

  async failingSince(endpointId: string, at: number, ok: boolean): Promise<number | undefined> {
    if (ok) {
      await this.#db
        .deleteFrom('webhook_endpoint_health')
        .where('endpoint_id', '=', endpointId)
        .execute();
      return undefined;
    }
    await this.#db
      .insertInto('webhook_endpoint_health')
      .values({ endpoint_id: endpointId, failing_since: at })
      .onConflict((oc) => oc.column('endpoint_id').doNothing())
      .execute();
    const row = await this.#db
      .selectFrom('webhook_endpoint_health')
      .select('failing_since')
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.failing_since);
  }

  async list(
    endpointId: string,
    options: {
      readonly status?: WebhookDeliveryStatus;
      readonly limit: number;
      readonly before?: number;
    },
  ): Promise<WebhookDelivery[]> {
    await this.#ready();
    let query = this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId);
    if (options.status !== undefined) query = query.where('status', '=', options.status);
    if (options.before !== undefined) query = query.where('position', '<', options.before);
    const rows = await query
      .orderBy('position', 'desc')
      .orderBy('id')
      .limit(options.limit)
      .execute();
    return rows.map(toDelivery);
  }

  async redeliver(
    endpointId: string,
    id: string,
    now: number,
  ): Promise<WebhookDelivery | undefined> {
    await this.#ready();
    await this.#db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', tries: 0, next_attempt_at: now })
      .where('endpoint_id', '=', endpointId)
      .where('id', '=', id)
      .execute();
    const row = await this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toDelivery(row);
  }
}
