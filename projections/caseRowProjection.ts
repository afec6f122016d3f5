import type { Transaction } from 'kysely';
import type { RecordedEvent } from '../src/application/eventStore.js';
import type { ProjectionContext } from './projection.js';
import type { ReadModelDatabase } from './readModelDatabase.js';

type CaseTables = 'case_queue' | 'sla_cases';

/** How one case's row changes with one of its events: the new row, or undefined to delete it. */
export type EvolveRow<R> = (
  row: R | undefined,
  event: RecordedEvent,
  ctx: ProjectionContext,
) => R | undefined;

const CASE_PREFIX = 'case-';
/** Rows per statement: well under SQLite's 32,766 bound variables with ~17 columns. */
const CHUNK = 500;

/**
 * Applies a batch to a table with one row per case, as a unit of work: read the rows of the
 * cases the batch touches (one query per 500 cases), fold the events in memory, then write
 * each changed row once (multi-row upsert) and delete the rows that ended. A batch of
 * thousands of events costs a handful of statements, in SQLite and PostgreSQL alike.
 */
export const applyCaseRows = async <T extends CaseTables>(
  trx: Transaction<ReadModelDatabase>,
  table: T,
  events: readonly RecordedEvent[],
  evolve: EvolveRow<ReadModelDatabase[T]>,
  ctx: ProjectionContext,
): Promise<void> => {
  const caseEvents = events.filter((e) => e.streamId.startsWith(CASE_PREFIX));
  if (caseEvents.length === 0) return;
  const ids = [...new Set(caseEvents.map((e) => e.streamId.slice(CASE_PREFIX.length)))];
  const rows = new Map<string, ReadModelDatabase[T] | undefined>();
  const existed = new Set<string>();
  // Kysely cannot relate a generic table name to its columns: it sees one concrete table here,
  // and the casts stay in this file.
  const db = trx as unknown as Transaction<{ rows: { case_id: string; row: unknown } }>;
  const rowsTable = table as unknown as 'rows';
  for (let i = 0; i < ids.length; i += CHUNK) {
    const found = await db
      .selectFrom(rowsTable)
      .selectAll()
      .where('case_id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const row of found) {
      rows.set(row.case_id, row as unknown as ReadModelDatabase[T]);
      existed.add(row.case_id);
    }
  }
  for (const event of caseEvents) {
    const id = event.streamId.slice(CASE_PREFIX.length);
    rows.set(id, evolve(rows.get(id), event, ctx));
  }
  const upserts = [...rows.values()].filter((r): r is ReadModelDatabase[T] => r !== undefined);
  const deletes = [...rows].filter(([id, row]) => row === undefined && existed.has(id));
  for (let i = 0; i < deletes.length; i += CHUNK) {
    const chunk = deletes.slice(i, i + CHUNK).map(([id]) => id);
    await db.deleteFrom(rowsTable).where('case_id', 'in', chunk).execute();
  }
  if (upserts.length === 0) return;
  const columns = Object.keys(upserts[0]!).filter((c) => c !== 'case_id');
  for (let i = 0; i < upserts.length; i += CHUNK) {
    await db
      .insertInto(rowsTable)
      .values(upserts.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc
          .column('case_id')
          .doUpdateSet((eb) =>
            Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}` as never)])),
          ),
      )
      .execute();
  }
};
