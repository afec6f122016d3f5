import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** Whether a suite that needs PostgreSQL runs, is skipped (no server, not required) or must fail. */
export type PostgresAvailability =
  | { readonly mode: 'run'; readonly url: string }
  | { readonly mode: 'skip' | 'fail'; readonly url: string; readonly reason: string };

/** The PostgreSQL the integration tests use: `DATABASE_URL`, else the local server's `test`. */
export const testPostgresUrl = (): string =>
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The URL without its password, for messages. */
const redacted = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
};

/** Runs `work` on one connection that gives up connecting after `timeoutMs`. */
const withClient = async <T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
  timeoutMs = 5_000,
): Promise<T> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // a dropped connection rejects the pending query instead
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * Asks the server for `select 1` within `timeoutMs`. When it does not answer, CI (which sets
 * `DOCKET_REQUIRE_SERVICES=1`) must fail; a developer without PostgreSQL gets a skip saying why.
 */
export const postgresAvailability = async (
  url: string = testPostgresUrl(),
  timeoutMs = 1_500,
): Promise<PostgresAvailability> => {
  let failure: string | undefined;
  try {
    await withClient(url, (client) => client.query('select 1'), timeoutMs);
  } catch (error) {
    failure = error instanceof Error ? error.message || error.name : String(error);
  }
  if (failure === undefined) return { mode: 'run', url };
  const required = process.env.DOCKET_REQUIRE_SERVICES === '1';
  const where = redacted(url);
  return {
    mode: required ? 'fail' : 'skip',
    url,
    reason: required
      ? `PostgreSQL at ${where} did not answer 'select 1' (${failure}) and DOCKET_REQUIRE_SERVICES=1: start it ('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start') or point DATABASE_URL at one`
      : `no PostgreSQL at ${where} (${failure}): start one or set DATABASE_URL; set DOCKET_REQUIRE_SERVICES=1 to make this a failure`,
  };
};

/** A schema name of this test run's own: `docket_test_<uuid with underscores>`. */
export const testSchemaName = (): string => `docket_test_${randomUUID().replaceAll('-', '_')}`;

/** A schema created for one test run; `drop` removes it and everything in it. */
export interface TestSchema {
  readonly name: string;
  drop(): Promise<void>;
}

/** Creates a fresh schema (never touching anything else on a shared server). */
export const createTestSchema = async (url: string = testPostgresUrl()): Promise<TestSchema> => {
  const name = testSchemaName();
  await withClient(url, (client) => client.query(`create schema ${name}`));
  return { name, drop: () => dropTestSchema(url, name) };
};

/** `drop schema … cascade` for a schema `createTestSchema` made; refuses any other name. */
export const dropTestSchema = async (url: string, name: string): Promise<void> => {
  if (!/^docket_test_[0-9a-f_]{36}$/.test(name)) {
    throw new Error(`refusing to drop ${name}: not a test schema`);
  }
  await withClient(url, (client) => client.query(`drop schema if exists ${name} cascade`));
};
