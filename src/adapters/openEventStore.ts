import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventStore } from '../application/eventStore.js';
import type { ServiceConfig } from '../config/serviceConfig.js';
import { openEsdbEventStore } from './esdbEventStore.js';
import { SqliteEventStore } from './sqliteEventStore.js';

/** The event store the configuration names: EventStoreDB with `ESDB_URL`, else the SQLite file. */
export const openEventStore = (
  config: Pick<ServiceConfig, 'esdbUrl' | 'dataDir' | 'sqliteSynchronous'>,
  options: { readonly pollMs?: number | undefined } = {},
): { store: EventStore; description: string } => {
  if (config.esdbUrl !== undefined) {
    return {
      store: openEsdbEventStore({ connectionString: config.esdbUrl }),
      description: `EventStoreDB at ${new URL(config.esdbUrl).host}`,
    };
  }
  const dir = resolve(config.dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'docket.db');
  return {
    store: new SqliteEventStore({
      path,
      synchronous: config.sqliteSynchronous,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    }),
    description: `SQLite ${path} (synchronous=${config.sqliteSynchronous})`,
  };
};
