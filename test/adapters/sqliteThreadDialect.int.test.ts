import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteThreadDialect } from '../../src/adapters/sqliteThreadDialect.js';

interface Db {
  items: { id: string; n: number };
}

const dir = mkdtempSync(join(tmpdir(), 'docket-sqlite-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
let path: string;
let db: Kysely<Db>;

beforeEach(async () => {
  path = join(dir, `${++files}.db`);
  db = new Kysely<Db>({ dialect: new SqliteThreadDialect(path) });
  await db.schema
    .createTable('items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
});
afterEach(() => db.destroy());

/** What another connection to the file sees. */
const onDisk = () => {
  const other = new Database(path, { readonly: true });
  try {
    return other.prepare('select id, n from items order by id').all();
  } finally {
    other.close();
  }
};

describe('SQLite in a thread', () => {
  it('answers statements outside a transaction, with the rows they changed', async () => {
    const inserted = await db.insertInto('items').values({ id: 'a', n: 1 }).executeTakeFirst();
    expect(inserted.numInsertedOrUpdatedRows).toBe(1n);
    const updated = await db.updateTable('items').set({ n: 2 }).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([{ id: 'a', n: 2 }]);
  });

  it('commits the writes of a transaction, which its reads see', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 'a', n: 1 }).execute();
      await trx.insertInto('items').values({ id: 'b', n: 2 }).execute();
      expect(await trx.selectFrom('items').select('id').execute()).toHaveLength(2);
    });
    expect(onDisk()).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
  });

  it('a failed write fails the commit, with SQLite’s code, and nothing of the transaction is kept', async () => {
    await db.insertInto('items').values({ id: 'a', n: 1 }).execute();
    const failing = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 'b', n: 2 }).execute();
      await trx.insertInto('items').values({ id: 'a', n: 3 }).execute(); // duplicate key
      await trx.insertInto('items').values({ id: 'c', n: 4 }).execute();
    });
    await expect(failing).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(onDisk()).toEqual([{ id: 'a', n: 1 }]);
    // The connection is usable again.
    await db.insertInto('items').values({ id: 'd', n: 5 }).execute();
    expect(onDisk()).toHaveLength(2);
  });

  it('a read after a failed write of the same transaction fails with that error', async () => {
    await db.insertInto('items').values({ id: 'a', n: 1 }).execute();
    let read: unknown;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 'a', n: 2 }).execute();
        read = await trx
          .selectFrom('items')
          .selectAll()
          .execute()
          .catch((error: unknown) => error);
        throw read;
      }),
    ).rejects.toThrow(/UNIQUE constraint failed/);
    expect(read).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(onDisk()).toEqual([{ id: 'a', n: 1 }]);
  });

  it('a rolled-back transaction leaves nothing', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 'a', n: 1 }).execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(onDisk()).toEqual([]);
  });

  it('a statement error outside a transaction rejects that statement only', async () => {
    await expect(sql`select * from missing`.execute(db)).rejects.toThrow(/no such table: missing/);
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([]);
  });
});

describe('SQLite in a thread, a file it cannot open', () => {
  it('fails the first statement with the reason', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const broken = new Kysely<Db>({ dialect: new SqliteThreadDialect(folder) });
    await expect(broken.selectFrom('items').selectAll().execute()).rejects.toThrow(
      /unable to open database file|directory/i,
    );
    await broken.destroy();
  });
});
