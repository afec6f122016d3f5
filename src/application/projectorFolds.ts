import type {
  Projection,
  ProjectionContext,
  ProjectionFold,
} from '../../projections/projection.js';
import type { ProjectionPosition } from '../../projections/projectionPositions.js';
import type { RecordedEvent } from '../domain/recordedEvent.js';
import type { CheckpointedWrite } from './projectionCheckpoints.js';

/** A projection's fold while the projector follows the log. */
interface Folding {
  readonly projection: Projection;
  readonly fold: ProjectionFold;
  /** Where its checkpoint stands once every batch taken so far is written. */
  taken: number;
  /** The last position handed to it. */
  added: number;
}

/** Events read since the last batch was taken. */
interface Reading {
  events: number;
  first: number;
  last: number;
  occurredAt: string[];
}

/** A batch taken: the events it covers and the write of each projection that had some. */
export interface Batch extends Reading {
  readonly writes: readonly CheckpointedWrite[];
}

const noneRead = (): Reading => ({ events: 0, first: -1, last: -1, occurredAt: [] });

/**
 * The folds of one projector run, each starting from its projection's checkpoint, and the
 * events read since the last batch was taken. An event at or before a projection's checkpoint
 * is not handed to it again. A new run (after a failure or a rebuild) makes new folds.
 */
export class RunFolds {
  readonly #folding: Folding[];
  #reading = noneRead();

  constructor(
    projections: readonly Projection[],
    context: ProjectionContext,
    checkpoints: ReadonlyMap<string, number>,
    /** Keep each event's `occurredAt` for the batch (metrics). */
    private readonly keepOccurredAt: boolean,
  ) {
    this.#folding = projections.map((projection) => {
      const at = checkpoints.get(projection.name) ?? -1;
      return { projection, fold: projection.fold(context), taken: at, added: at };
    });
  }

  /** Events read since the last batch was taken. */
  get pending(): number {
    return this.#reading.events;
  }

  add(event: RecordedEvent): void {
    const position = Number(event.position);
    const reading = this.#reading;
    if (reading.events++ === 0) reading.first = position;
    reading.last = position;
    if (this.keepOccurredAt) reading.occurredAt.push(event.metadata.occurredAt);
    for (const f of this.#folding) {
      if (position <= f.added) continue; // at or before its checkpoint: applied already
      f.added = position;
      f.fold.add(event);
    }
  }

  /** The batch read since the last one, with each projection's write; undefined if empty. */
  take(): Batch | undefined {
    const read = this.#reading;
    if (read.events === 0) return undefined;
    this.#reading = noneRead();
    const writes = this.#folding
      .filter((f) => f.added > f.taken)
      .map((f) => {
        const after = f.taken;
        f.taken = f.added;
        return { name: f.projection.name, after, write: f.fold.take() };
      });
    return { ...read, writes };
  }

  /** Forgets the events read since the last batch (the run is starting again). */
  drop(): void {
    this.#reading = noneRead();
  }

  /** A projection whose stored checkpoint is not where this run's batches leave it. */
  moved(stored: readonly ProjectionPosition[]): string | undefined {
    return this.#folding.find(
      (f) => stored.find((s) => s.name === f.projection.name)?.position !== f.taken,
    )?.projection.name;
  }
}
