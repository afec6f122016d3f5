import { sql, type Kysely } from 'kysely';
import type { Projection } from './projection.js';
import type { ProjectionCheckpointsTable, ReadModelDatabase } from './readModelDatabase.js';

/** How far a projection has applied the log, as its checkpoint row says. */
export interface ProjectionPosition {
  readonly name: string;
  readonly version: number;
  /** Log position applied up to (-1: nothing yet, or rows of another version). */
  readonly position: number;
  /** A rebuild began and the checkpoint has not reached the head it started from yet. */
  readonly rebuilding: boolean;
  readonly updatedAt: string | null;
}

type CheckpointRow = Pick<
  ProjectionCheckpointsTable,
  'name' | 'version' | 'position' | 'rebuild_to' | 'updated_at'
>;

/** A row of another version describes tables this code did not make: nothing applied. */
const toPosition = (p: Projection, row: CheckpointRow | undefined): ProjectionPosition => {
  const current = row?.version === p.version;
  return {
    name: p.name,
    version: p.version,
    position: current ? Number(row.position) : -1,
    rebuilding: current && row.rebuild_to !== null,
    updatedAt: row?.updated_at ?? null,
  };
};

const checkpointRows = (db: Kysely<ReadModelDatabase>) =>
  db
    .selectFrom('projection_checkpoints')
    .select(['name', 'version', 'position', 'rebuild_to', 'updated_at']);

export const readPositions = async (
  db: Kysely<ReadModelDatabase>,
  projections: readonly Projection[],
): Promise<ProjectionPosition[]> => {
  const rows = await checkpointRows(db).execute();
  const rowOf = (p: Projection) => rows.find((r) => r.name === p.name);
  return projections.map((p) => toPosition(p, rowOf(p)));
};

/**
 * Runs `read` on the tables of `projection` and reads its position in the same snapshot (one
 * read-only transaction; PostgreSQL: repeatable read), so the position is exactly the one the
 * answer reflects, even while a rebuild empties the tables.
 */
export const readWithPosition = <T>(
  db: Kysely<ReadModelDatabase>,
  projection: Projection,
  read: (db: Kysely<ReadModelDatabase>) => Promise<T>,
): Promise<{ readonly answer: T; readonly position: ProjectionPosition }> =>
  db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const row = await checkpointRows(trx).where('name', '=', projection.name).executeTakeFirst();
      return { answer: await read(trx), position: toPosition(projection, row) };
    });

/**
 * Whether `table` has `column`, asked inside a transaction without spoiling it: a savepoint
 * takes back the failed probe (PostgreSQL aborts a transaction on any error).
 */
const hasColumn = async (
  db: Kysely<ReadModelDatabase>,
  table: string,
  column: string,
): Promise<boolean> => {
  await sql`savepoint docket_probe`.execute(db);
  try {
    await sql`select ${sql.ref(column)} from ${sql.table(table)} limit 0`.execute(db);
    return true;
  } catch {
    await sql`rollback to savepoint docket_probe`.execute(db);
    return false;
  } finally {
    await sql`release savepoint docket_probe`.execute(db);
  }
};

/**
 * Creates `projection_checkpoints`, or adds to a table an earlier release made the columns it
 * lacks (`rebuild_to`). Run inside a transaction.
 */
export const createCheckpointTable = async (db: Kysely<ReadModelDatabase>): Promise<void> => {
  await db.schema
    .createTable('projection_checkpoints')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('rebuild_to', 'bigint')
    .execute();
  if (!(await hasColumn(db, 'projection_checkpoints', 'rebuild_to')))
    await db.schema
      .alterTable('projection_checkpoints')
      .addColumn('rebuild_to', 'bigint')
      .execute();
};
