import { sql, type Kysely } from 'kysely';
import type { Projection } from '../../projections/projection.js';
import {
  createCheckpointTable,
  readPositions,
  type ProjectionPosition,
} from '../../projections/projectionPositions.js';
import type { ReadModelDatabase } from '../../projections/readModelDatabase.js';
import {
  checkpointMoved,
  type CheckpointedWrite,
  type PreparedProjection,
  type ProjectionCheckpoints,
} from '../application/projectionCheckpoints.js';

export interface ProjectionCheckpointStoreOptions {
  /**
   * PostgreSQL: take an advisory lock while preparing and lock checkpoint rows while a batch is
   * applied, for several projectors on one database (SQLite has one writer).
   * @defaultValue false
   */
  readonly lock?: boolean;
}

/** A checkpoint's new values: a rebuild is over once the checkpoint reaches its target. */
const moved = (rebuildTo: number | null, position: number, updatedAt: string) =>
  rebuildTo !== null && position >= Number(rebuildTo)
    ? { position, updated_at: updatedAt, rebuild_to: null }
    : { position, updated_at: updatedAt };

/** The checkpoints in the `projection_checkpoints` table of the read-model database (Kysely). */
export class ProjectionCheckpointStore implements ProjectionCheckpoints {
  constructor(
    private readonly db: Kysely<ReadModelDatabase>,
    private readonly options: ProjectionCheckpointStoreOptions = {},
  ) {}

  async prepare(
    projections: readonly Projection[],
    rebuildTo: () => Promise<number | null>,
    now: string,
  ): Promise<readonly PreparedProjection[]> {
    return this.db.transaction().execute(async (db) => {
      if (this.options.lock === true)
        await sql`select pg_advisory_xact_lock(hashtext('docket-projections'))`.execute(db);
      await createCheckpointTable(db);
      const rows = await db
        .selectFrom('projection_checkpoints')
        .select(['name', 'version'])
        .execute();
      const built = (p: Projection) =>
        rows.some((r) => r.name === p.name && r.version === p.version);
      for (const p of projections.filter(built)) await p.create(db);
      const stale = projections.filter((p) => !built(p));
      await emptied(db, stale, rebuildTo, now);
      return stale.map((p) => ({
        name: p.name,
        versionChanged: rows.some((r) => r.name === p.name),
      }));
    });
  }

  async reset(
    projections: readonly Projection[],
    rebuildTo: () => Promise<number | null>,
    now: string,
  ): Promise<void> {
    await this.db.transaction().execute(async (db) => {
      // The checkpoint rows first, as a batch locks them: a batch waits for the reset, no deadlock.
      if (this.options.lock === true)
        await db.selectFrom('projection_checkpoints').select('name').forUpdate().execute();
      await emptied(db, projections, rebuildTo, now);
    });
  }

  positions(projections: readonly Projection[]): Promise<ProjectionPosition[]> {
    return readPositions(this.db, projections);
  }

  async commit(writes: readonly CheckpointedWrite[], to: number, now: string): Promise<void> {
    if (writes.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('projection_checkpoints')
        .select(['name', 'position', 'rebuild_to'])
        .where(
          'name',
          'in',
          writes.map((w) => w.name),
        )
        .orderBy('name');
      if (this.options.lock === true) query = query.forUpdate();
      const stored = new Map((await query.execute()).map((r) => [r.name, r]));
      for (const w of writes)
        if (Number(stored.get(w.name)?.position) !== w.after) throw checkpointMoved(w.name);
      // Side by side: one projection's reads need not wait for the other's writes. Every one
      // settles before the transaction ends, so none writes after a rollback.
      const applied = await Promise.allSettled(
        writes.map(async (w) => {
          await w.write(trx);
          await trx
            .updateTable('projection_checkpoints')
            .set(moved(stored.get(w.name)?.rebuild_to ?? null, to, now))
            .where('name', '=', w.name)
            .execute();
        }),
      );
      for (const outcome of applied) if (outcome.status === 'rejected') throw outcome.reason;
    });
  }
}

/** Drops and recreates the tables of `projections` and sets their checkpoints to rebuild. */
const emptied = async (
  db: Kysely<ReadModelDatabase>,
  projections: readonly Projection[],
  rebuildTo: () => Promise<number | null>,
  now: string,
): Promise<void> => {
  if (projections.length === 0) return;
  const checkpoint = { position: -1, updated_at: now, rebuild_to: await rebuildTo() };
  for (const p of projections) {
    await p.drop(db);
    await p.create(db);
    await db
      .insertInto('projection_checkpoints')
      .values({ name: p.name, version: p.version, ...checkpoint })
      .onConflict((oc) => oc.column('name').doUpdateSet({ version: p.version, ...checkpoint }))
      .execute();
  }
};
