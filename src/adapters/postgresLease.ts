import pg from 'pg';
import type { Lease } from '../application/lease.js';

export interface PostgresLeaseOptions {
  /** The database whose role is leased (the read models' `DATABASE_URL`). */
  readonly url: string;
  /** The role leased, e.g. `projector:<schema>`: one lock per name per database. */
  readonly name: string;
  /** Where the fencing counter is kept (`<schema>.docket_leases`). @defaultValue 'public' */
  readonly schema?: string;
}

/**
 * A lease as a PostgreSQL session advisory lock on a connection of its own: the server frees it
 * the moment that connection ends, so a holder that dies or loses the network loses the lease
 * with no expiry to wait for. Renewing checks that the connection still answers. The fencing
 * token is a counter in `docket_leases`, bumped by each new holder.
 */
export class PostgresLease implements Lease {
  readonly #o: PostgresLeaseOptions;
  #client: pg.Client | undefined;
  #lost = false;
  #token: number | undefined;

  constructor(options: PostgresLeaseOptions) {
    this.#o = options;
  }

  async acquire(): Promise<number | undefined> {
    if (this.#token !== undefined && !this.#lost) return this.#token;
    const client = await this.#connect();
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [this.#o.name],
    );
    if (rows[0]?.locked !== true) return undefined;
    const table = `${pg.escapeIdentifier(this.#o.schema ?? 'public')}.docket_leases`;
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (name text PRIMARY KEY, token bigint NOT NULL)`,
    );
    const bumped = await client.query<{ token: string }>(
      `INSERT INTO ${table} (name, token) VALUES ($1, 1)
       ON CONFLICT (name) DO UPDATE SET token = ${table}.token + 1 RETURNING token`,
      [this.#o.name],
    );
    this.#token = Number(bumped.rows[0]?.token);
    return this.#token;
  }

  async renew(): Promise<boolean> {
    if (this.#token === undefined || this.#lost || this.#client === undefined) return false;
    try {
      await this.#client.query('SELECT 1');
      return true;
    } catch {
      this.#drop();
      return false;
    }
  }

  async release(): Promise<void> {
    const client = this.#client;
    this.#token = undefined;
    if (client === undefined || this.#lost) return;
    await client
      .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [this.#o.name])
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#token = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client !== undefined && !this.#lost) return this.#client;
    await this.close();
    const client = new pg.Client({ connectionString: this.#o.url, connectionTimeoutMillis: 5_000 });
    this.#lost = false;
    // The lock lives as long as this connection: when it fails, the lease is gone.
    client.on('error', () => this.#drop());
    client.on('end', () => this.#drop());
    await client.connect();
    this.#client = client;
    return client;
  }

  #drop(): void {
    this.#lost = true;
    this.#token = undefined;
  }
}
