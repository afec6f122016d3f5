import type { CompiledQuery, DialectAdapter, Transaction } from 'kysely';
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
/** Ids per SELECT: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const SELECT_IDS = 5_000;
/** Rows per upsert: ~17 columns each, 8,500 parameters. */
const UPSERT_ROWS = 500;

/**
 * Full-size upserts as Kysely compiled them, by dialect, table and columns: only the values
 * change from one to the next, so they are bound to the same statement instead of being built
 * and compiled again (that was 8 % of a rebuild). The read-model databases use no plugins,
 * which would otherwise see only the first.
 */
const compiledUpserts = new WeakMap<DialectAdapter, Map<string, CompiledQuery>>();

/**
 * Applies a batch to a table with one row per case, as a unit of work: read the rows of the
 * cases the batch touches (one query per 5,000 cases), fold the events in memory, then write
 * each changed row once (500-row upserts) and delete the rows that ended. A batch of thousands
 * of events costs a handful of statements, in SQLite and PostgreSQL alike.
 */
export const applyCaseRows = async <T extends CaseTables>(
  trx: Transaction<ReadModelDatabase>,
  table: T,
  events: readonly RecordedEvent[],
  evolve: EvolveRow<ReadModelDatabase[T]>,
  ctx: ProjectionContext,
): Promise<void> => {
  type Row = ReadModelDatabase[T];
  const rows = new Map<string, Row | undefined>();
  const caseEvents: RecordedEvent[] = [];
  const caseIds: string[] = [];
  for (const event of events) {
    if (!event.streamId.startsWith(CASE_PREFIX)) continue;
    const id = event.streamId.slice(CASE_PREFIX.length);
    caseEvents.push(event);
    caseIds.push(id);
    rows.set(id, undefined);
  }
  if (caseEvents.length === 0) return;
  // Kysely cannot relate a generic table name to its columns: it sees one concrete table here,
  // and the casts stay in this file.
  const db = trx as unknown as Transaction<{ rows: { case_id: string; row: unknown } }>;
  const rowsTable = table as unknown as 'rows';
  const ids = [...rows.keys()];
  const existed = new Set<string>();
  for (let i = 0; i < ids.length; i += SELECT_IDS) {
    const found = await db
      .selectFrom(rowsTable)
      .selectAll()
      .where('case_id', 'in', ids.slice(i, i + SELECT_IDS))
      .execute();
    for (const row of found) {
      rows.set(row.case_id, row as unknown as Row);
      existed.add(row.case_id);
    }
  }
  for (let i = 0; i < caseEvents.length; i++) {
    const id = caseIds[i]!;
    rows.set(id, evolve(rows.get(id), caseEvents[i]!, ctx));
  }
  const upserts: Row[] = [];
  const deletes: string[] = [];
  for (const [id, row] of rows) {
    if (row !== undefined) upserts.push(row);
    else if (existed.has(id)) deletes.push(id);
  }
  for (let i = 0; i < deletes.length; i += SELECT_IDS) {
    await db
      .deleteFrom(rowsTable)
      .where('case_id', 'in', deletes.slice(i, i + SELECT_IDS))
      .execute();
  }
  if (upserts.length === 0) return;
  const columns = Object.keys(upserts[0]!);
  const updated = columns.filter((c) => c !== 'case_id');
  for (let i = 0; i < upserts.length; i += UPSERT_ROWS) {
    const chunk = upserts.slice(i, i + UPSERT_ROWS);
    const parameters: unknown[] = [];
    for (const row of chunk) for (const c of columns) parameters.push(row[c as keyof Row]);
    const adapter = trx.getExecutor().adapter;
    const key = `${table}(${columns.join()})`;
    const compiled =
      chunk.length === UPSERT_ROWS ? compiledUpserts.get(adapter)?.get(key) : undefined;
    if (compiled !== undefined) {
      await trx.executeQuery({ ...compiled, parameters });
      continue;
    }
    const query = db
      .insertInto(rowsTable)
      .values(chunk)
      .onConflict((oc) =>
        oc
          .column('case_id')
          .doUpdateSet((eb) =>
            Object.fromEntries(updated.map((c) => [c, eb.ref(`excluded.${c}` as never)])),
          ),
      )
      .compile();
    // Kept only if its parameters are exactly the values, row after row, in `columns` order.
    if (chunk.length === UPSERT_ROWS && sameValues(query.parameters, parameters)) {
      const byKey = compiledUpserts.get(adapter) ?? new Map<string, CompiledQuery>();
      compiledUpserts.set(adapter, byKey.set(key, query));
    }
    await trx.executeQuery(query);
  }
};

const sameValues = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);
