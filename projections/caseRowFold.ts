import type { CompiledQuery, DialectAdapter, Transaction } from 'kysely';
import { caseIdOf, caseStreamId, isCaseStream } from '../src/domain/case/stream/caseStreamId.js';
import type { RecordedEvent } from '../src/domain/recordedEvent.js';
import type { ProjectionContext, ProjectionFold, ProjectionWrite } from './projection.js';
import type { ReadModelDatabase } from './readModelDatabase.js';

type CaseTables = 'case_queue' | 'case_list' | 'sla_cases';

/** How one case's row changes with one of its events: the new row, or undefined to delete it. */
export type EvolveRow<R> = (
  row: R | undefined,
  event: RecordedEvent,
  ctx: ProjectionContext,
) => R | undefined;

/** Ids per SELECT or DELETE: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const IDS_PER_STATEMENT = 5_000;
/** Rows per upsert: ~17 columns each, 8,500 parameters. */
const UPSERT_ROWS = 500;
/**
 * Cases whose rows are kept in memory, per generation: a case touched in the last two
 * generations is folded without reading its row (memory: two generations of rows, whatever
 * the length of the log).
 */
const GENERATION = 25_000;

/**
 * Full-size upserts as Kysely compiled them, by dialect, table and columns: only the values
 * change from one to the next, so they are bound to the same statement instead of being built
 * and compiled again (that was 8 % of a rebuild). The read-model databases use no plugins,
 * which would otherwise see only the first.
 */
const compiledUpserts = new WeakMap<DialectAdapter, Map<string, CompiledQuery>>();

/**
 * The fold of a table with one row per case (case_queue, case_list, sla_cases). Each event is folded as
 * it is read into the row of its case, when that row is in memory: the case was opened in
 * these events, or touched recently. The events of other cases wait, in order, for the write,
 * which reads their rows in its transaction (after every earlier write committed) and folds
 * them. A write then upserts each changed row once (500 rows a statement) and deletes the
 * rows that ended. So events are not kept between reading and writing, and a case is written
 * once per batch however many events it had.
 */
export const caseRowFold = <T extends CaseTables>(
  table: T,
  evolve: EvolveRow<ReadModelDatabase[T]>,
  ctx: ProjectionContext,
): ProjectionFold => {
  type Row = ReadModelDatabase[T];
  // Cases are keyed by their stream id as read (`case-…`): both projections look up the same
  // string, whose hash is computed once.
  /** Rows as of every event folded; null: the case has no row. */
  let young = new Map<string, Row | null>();
  let old = new Map<string, Row | null>();
  /** This batch: each changed case's row as of its last event. */
  let changed = new Map<string, Row | null>();
  /** This batch: cases opened in it, whose rows were never stored (nothing to delete). */
  let opened = new Set<string>();
  /** This batch: the events of cases whose rows are not in memory, in log order. */
  let waiting = new Map<string, RecordedEvent[]>();
  /**
   * Cases with events waiting in batches not yet written, and in how many: their later events
   * wait too, whatever is in memory, so that each case's events are folded in order.
   */
  const unresolved = new Map<string, number>();

  const lookup = (id: string): Row | null | undefined => {
    const row = young.get(id);
    if (row !== undefined) return row;
    const older = old.get(id);
    if (older !== undefined) young.set(id, older);
    return older;
  };
  const fold = (row: Row | null, event: RecordedEvent): Row | null =>
    evolve(row ?? undefined, event, ctx) ?? null;

  return {
    add(event) {
      const id = event.streamId;
      if (!isCaseStream(id)) return;
      const queued = waiting.size === 0 ? undefined : waiting.get(id);
      if (queued !== undefined) {
        queued.push(event);
        return;
      }
      const behind = unresolved.size !== 0 && unresolved.has(id);
      let row = behind ? undefined : lookup(id);
      if (row === undefined) {
        // A case's first event opens it: no row can exist before it (each event is applied
        // once). Any other needs the stored row.
        if (behind || event.type !== 'CaseOpened' || event.revision !== 0) {
          waiting.set(id, [event]);
          unresolved.set(id, (unresolved.get(id) ?? 0) + 1);
          return;
        }
        opened.add(id);
        row = null;
      }
      const next = fold(row, event);
      young.set(id, next);
      changed.set(id, next);
    },

    take(): ProjectionWrite {
      const batch = { changed, opened, waiting };
      changed = new Map();
      opened = new Set();
      waiting = new Map();
      if (young.size >= GENERATION) {
        old = young;
        young = new Map();
      }
      return (trx) => write(trx, batch);
    },
  };

  async function write(
    trx: Transaction<ReadModelDatabase>,
    batch: {
      changed: Map<string, Row | null>;
      opened: Set<string>;
      waiting: Map<string, RecordedEvent[]>;
    },
  ): Promise<void> {
    // Kysely cannot relate a generic table name to its columns: it sees one concrete table
    // here, and the casts stay in this file.
    const db = trx as unknown as Transaction<{ rows: { case_id: string; row: unknown } }>;
    const rowsTable = table as unknown as 'rows';
    // The rows the waiting events start from: in memory (an earlier write folded them) or
    // stored. Taken now: while the reads below are awaited, the memory may move on.
    const base = new Map<string, Row | null>();
    const unknown: string[] = [];
    for (const id of batch.waiting.keys()) {
      const row = lookup(id);
      if (row === undefined) unknown.push(id);
      else base.set(id, row);
    }
    for (let i = 0; i < unknown.length; i += IDS_PER_STATEMENT) {
      const ids = unknown.slice(i, i + IDS_PER_STATEMENT);
      const found = await db
        .selectFrom(rowsTable)
        .selectAll()
        .where('case_id', 'in', ids.map(caseIdOf))
        .execute();
      for (const id of ids) base.set(id, null);
      for (const row of found) base.set(caseStreamId(row.case_id), row as unknown as Row);
    }
    for (const [id, events] of batch.waiting) {
      let row = base.get(id) ?? null;
      for (const event of events) row = fold(row, event);
      young.set(id, row);
      batch.changed.set(id, row);
      const left = unresolved.get(id)! - 1;
      if (left === 0) unresolved.delete(id);
      else unresolved.set(id, left);
    }
    const upserts: Row[] = [];
    const deletes: string[] = [];
    for (const [id, row] of batch.changed) {
      if (row !== null) upserts.push(row);
      else if (!batch.opened.has(id)) deletes.push(id);
    }
    for (let i = 0; i < deletes.length; i += IDS_PER_STATEMENT) {
      await db
        .deleteFrom(rowsTable)
        .where('case_id', 'in', deletes.slice(i, i + IDS_PER_STATEMENT).map(caseIdOf))
        .execute();
    }
    if (upserts.length === 0) return;
    const columns = Object.keys(upserts[0]!);
    const updated = columns.filter((c) => c !== 'case_id');
    const adapter = trx.getExecutor().adapter;
    const key = `${table}(${columns.join()})`;
    for (let i = 0; i < upserts.length; i += UPSERT_ROWS) {
      const chunk = upserts.slice(i, i + UPSERT_ROWS);
      const parameters = new Array<unknown>(chunk.length * columns.length);
      let p = 0;
      for (const row of chunk) for (const c of columns) parameters[p++] = row[c as keyof Row];
      const full = chunk.length === UPSERT_ROWS;
      const compiled = full ? compiledUpserts.get(adapter)?.get(key) : undefined;
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
      if (full && sameValues(query.parameters, parameters)) {
        const byKey = compiledUpserts.get(adapter) ?? new Map<string, CompiledQuery>();
        compiledUpserts.set(adapter, byKey.set(key, query));
      }
      await trx.executeQuery(query);
    }
  }
};

const sameValues = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);
