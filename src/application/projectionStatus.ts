import type { Kysely } from 'kysely';
import type { Projection } from '../../projections/projection.js';
import { readPositions, type ProjectionPosition } from '../../projections/projectionPositions.js';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import type { EventStore } from './eventStore.js';
import { logHead } from './logHead.js';

/** A projection's position beside the log's head: what `GET /projections` and the CLI show. */
export interface ProjectionStatus extends ProjectionPosition {
  /** Position of the last event in the log (0: empty log). */
  readonly head: number;
  /** Events of the log the projection has not applied yet (by position). */
  readonly lag: number;
}

export const projectionStatus = async (
  db: Kysely<ReadModelDatabase>,
  projections: readonly Projection[],
  store: EventStore,
): Promise<ProjectionStatus[]> => {
  // The head first: a batch applied in between makes the lag 0, never more than it was.
  const head = Number((await logHead(store)) ?? 0n);
  const positions = await readPositions(db, projections);
  return positions.map((p) => ({ ...p, head, lag: Math.max(0, head - Math.max(p.position, 0)) }));
};
