import type { Kysely } from 'kysely';
import type { Projection } from '../../projections/projection.js';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import type { Clock } from '../domain/clock.js';
import { parseInstant } from '../domain/instant.js';
import type { EventStore } from './eventStore.js';
import { projectionStatus, type ProjectionStatus } from './projectionStatus.js';

/** How far a projection is behind the log: what the metrics and the readiness check report. */
export interface ProjectionLag {
  readonly projection: string;
  /** Events of the log it has not applied yet. */
  readonly events: number;
  /** Age of the oldest event it has not applied (0: caught up). */
  readonly seconds: number;
  readonly rebuilding: boolean;
}

/**
 * Each projection's lag in events and in seconds: the seconds are the age, by `clock`, of the
 * first event after its position (one read of one event per distinct position).
 */
export const projectionLag = async (
  statuses: readonly ProjectionStatus[],
  store: EventStore,
  clock: Clock,
): Promise<ProjectionLag[]> => {
  const now = clock.now();
  const oldest = new Map<number, Promise<number | undefined>>();
  const firstUnapplied = async (position: number) => {
    const after = position < 0 ? {} : { after: BigInt(position) };
    for await (const e of store.readAll({ ...after, maxCount: 1 }))
      return parseInstant(e.metadata.occurredAt);
    return undefined;
  };
  return Promise.all(
    statuses.map(async (s) => {
      if (s.lag === 0)
        return { projection: s.name, events: 0, seconds: 0, rebuilding: s.rebuilding };
      let at = oldest.get(s.position);
      if (at === undefined) oldest.set(s.position, (at = firstUnapplied(s.position)));
      const occurredAt = await at;
      const seconds =
        occurredAt === undefined || !Number.isFinite(occurredAt)
          ? 0
          : Math.max(0, now - occurredAt) / 1_000;
      return { projection: s.name, events: s.lag, seconds, rebuilding: s.rebuilding };
    }),
  );
};

/** A reader of the projections' lag on `db` (what a metrics adapter collects at scrape time). */
export const projectionLagReader =
  (
    db: Kysely<ReadModelDatabase>,
    projections: readonly Projection[],
    store: EventStore,
    clock: Clock,
  ): (() => Promise<ProjectionLag[]>) =>
  async () =>
    projectionLag(await projectionStatus(db, projections, store), store, clock);
