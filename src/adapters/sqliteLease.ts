import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Lease } from '../application/lease.js';
import type { Clock } from '../domain/clock.js';
import { systemClock } from './systemClock.js';

export interface SqliteLeaseOptions {
  /** The SQLite file shared by the processes that compete (created if missing). */
  readonly path: string;
  /** The role leased, e.g. `timer-scheduler`. */
  readonly name: string;
  /** How long the lease lasts without renewal. @defaultValue 5000 */
  readonly ttlMs?: number;
  /** @defaultValue a random UUID */
  readonly owner?: string;
  /** @defaultValue the wall clock */
  readonly clock?: Clock;
}

interface Row {
  readonly owner: string;
  readonly token: number;
  readonly expires_at: number;
}

/**
 * A lease as a row of a SQLite file that several processes on one machine share (SQLite is not
 * a network store): taken in an immediate transaction when free, expired or already ours;
 * renewed by its holder before it expires. The token counts up with every new holder.
 */
export class SqliteLease implements Lease {
  readonly #db: Database.Database;
  readonly #o: Required<Omit<SqliteLeaseOptions, 'path'>>;
  #token: number | undefined;

  constructor(options: SqliteLeaseOptions) {
    this.#o = {
      name: options.name,
      ttlMs: options.ttlMs ?? 5_000,
      owner: options.owner ?? randomUUID(),
      clock: options.clock ?? systemClock,
    };
    this.#db = new Database(options.path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(
      'CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, token INTEGER NOT NULL, expires_at INTEGER NOT NULL)',
    );
  }

  acquire(): Promise<number | undefined> {
    const { name, owner, ttlMs, clock } = this.#o;
    const take = this.#db.transaction(() => {
      const now = clock.now();
      const row = this.#db
        .prepare('SELECT owner, token, expires_at FROM leases WHERE name = ?')
        .get(name) as Row | undefined;
      if (row !== undefined && row.owner !== owner && row.expires_at > now) return undefined;
      const token =
        row !== undefined && row.owner === owner && row.expires_at > now
          ? row.token
          : (row?.token ?? 0) + 1;
      this.#db
        .prepare(
          'INSERT INTO leases (name, owner, token, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, token = excluded.token, expires_at = excluded.expires_at',
        )
        .run(name, owner, token, now + ttlMs);
      return token;
    });
    this.#token = take.immediate();
    return Promise.resolve(this.#token);
  }

  renew(): Promise<boolean> {
    if (this.#token === undefined) return Promise.resolve(false);
    const { name, owner, ttlMs, clock } = this.#o;
    const now = clock.now();
    const { changes } = this.#db
      .prepare(
        'UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ? AND token = ? AND expires_at > ?',
      )
      .run(now + ttlMs, name, owner, this.#token, now);
    if (changes === 0) this.#token = undefined;
    return Promise.resolve(changes === 1);
  }

  release(): Promise<void> {
    if (this.#token !== undefined) {
      this.#db
        .prepare('UPDATE leases SET expires_at = 0 WHERE name = ? AND owner = ? AND token = ?')
        .run(this.#o.name, this.#o.owner, this.#token);
    }
    this.#token = undefined;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}
