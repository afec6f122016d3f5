import type { Kysely, Transaction } from 'kysely';
import type { RecordedEvent } from '../src/application/eventStore.js';
import type { ReadModelDatabase } from './readModelDatabase.js';

/** What a projection may ask of the world while it applies events: pure lookups only. */
export interface ProjectionContext {
  /** The IANA zone of an offering (reporting days); UTC for one the policy does not know. */
  zoneOf(offering: string): string;
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
  /**
   * Applies events after its checkpoint, in log order. The projector runs the projections of
   * a batch side by side in one transaction: touch only your own tables.
   */
  apply(
    trx: Transaction<ReadModelDatabase>,
    events: readonly RecordedEvent[],
    ctx: ProjectionContext,
  ): Promise<void>;
}
