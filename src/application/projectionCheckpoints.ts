import type { Projection, ProjectionWrite } from '../../projections/projection.js';
import type { ProjectionPosition } from '../../projections/projectionPositions.js';
import { DocketFault, FaultCode } from '../domain/docketError.js';

/** One projection's write in a batch, and the checkpoint it continues from. */
export interface CheckpointedWrite {
  readonly name: string;
  /** The position the projection's checkpoint must stand at for the write to apply. */
  readonly after: number;
  readonly write: ProjectionWrite;
}

/**
 * Where projections keep their checkpoints, beside their rows: the projector's port to the
 * read-model database (adapter: src/adapters/projectionCheckpointStore.ts). A checkpoint
 * says how far a projection has applied the log, and, while it is being rebuilt, up to where
 * the rebuild goes (`rebuildTo`, the log's head when it began; null when none).
 */
/** A projection `prepare` emptied. */
export interface PreparedProjection {
  readonly name: string;
  /** Its checkpoint recorded another version (else it had none). */
  readonly versionChanged: boolean;
}

export interface ProjectionCheckpoints {
  /**
   * Creates the checkpoint table and every projection's tables, under a lock every projector
   * of the database takes; a projection whose checkpoint records another version (or none) is
   * emptied and marked to rebuild up to `rebuildTo()`. Returns those emptied, and whether each
   * had been built at another version (`false`: it is new to this database).
   */
  prepare(
    projections: readonly Projection[],
    rebuildTo: () => Promise<number | null>,
    now: string,
  ): Promise<readonly PreparedProjection[]>;
  /**
   * Empties `projections` and marks them to rebuild up to `rebuildTo()`, in one transaction
   * that holds every checkpoint first (a batch waits for it rather than deadlocking).
   */
  reset(
    projections: readonly Projection[],
    rebuildTo: () => Promise<number | null>,
    now: string,
  ): Promise<void>;
  positions(projections: readonly Projection[]): Promise<ProjectionPosition[]>;
  /**
   * One batch, in one transaction: if every checkpoint stands where its write continues from,
   * runs the writes side by side and moves the checkpoints to `to` (a rebuild is over once its
   * checkpoint reaches its target); otherwise nothing is written and `checkpoint-moved` is
   * thrown.
   */
  commit(writes: readonly CheckpointedWrite[], to: number, now: string): Promise<void>;
}

/**
 * A checkpoint is not where this projector left it: another process rebuilt the projection or
 * applied events, or an earlier batch failed. What was folded since is dropped.
 */
export const checkpointMoved = (projection: string): DocketFault =>
  new DocketFault(FaultCode.checkpointMoved, `the checkpoint of ${projection} moved`);
