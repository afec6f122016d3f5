import type { Kysely, Transaction } from 'kysely';
import type { RecordedEvent } from '../src/domain/recordedEvent.js';
import type { ReadModelDatabase } from './readModelDatabase.js';

/** What a projection may ask of the world while it applies events: pure lookups only. */
export interface ProjectionContext {
  /** The IANA zone of an offering (reporting days); UTC for one the policy does not know. */
  zoneOf(offering: string): string;
}

/**
 * Writes, in the transaction that also moves the projection's checkpoint, what a batch of
 * events changed. The projector runs the writes of one batch side by side in that transaction
 * (touch only your own tables), and each batch's after the last one committed.
 */
export type ProjectionWrite = (trx: Transaction<ReadModelDatabase>) => Promise<void>;

/**
 * A projection's state while the projector follows the log: events go in as they are read,
 * and each batch comes out as one write. The projector starts a new fold whenever it starts
 * again from the checkpoints (a failed write, a rebuild), so a fold only ever sees the events
 * after its checkpoint, once each and in order.
 */
export interface ProjectionFold {
  /** The next event of the log. */
  add(event: RecordedEvent): void;
  /** What the events added since the last `take` changed. */
  take(): ProjectionWrite;
}

/**
 * A read model: the events it handles, how it updates its tables, its version. The projector
 * (src/application/projector.ts) runs it: each batch of events it has not seen, in the
 * transaction that also moves its checkpoint. A new version is rebuilt from position 0.
 */
export interface Projection {
  readonly name: string;
  readonly version: number;
  /** Creates its tables, views and indexes (dialect-neutral Kysely schema builder). */
  create(db: Kysely<ReadModelDatabase>): Promise<void>;
  /** Drops what `create` made, for a rebuild. */
  drop(db: Kysely<ReadModelDatabase>): Promise<void>;
  fold(ctx: ProjectionContext): ProjectionFold;
}

/** Applies events in one write, with nothing remembered from earlier ones. */
export const applyEvents = (
  projection: Projection,
  trx: Transaction<ReadModelDatabase>,
  events: readonly RecordedEvent[],
  ctx: ProjectionContext,
): Promise<void> => {
  const fold = projection.fold(ctx);
  for (const event of events) fold.add(event);
  return fold.take()(trx);
};
