import { join, resolve } from 'node:path';
import type { ServiceConfig } from '../config/serviceConfig.js';
import {
  openPostgresReadModels,
  openSqliteReadModels,
  type ReadModelDb,
  type SqliteReadModelOptions,
} from './readModelDb.js';

export interface OpenedReadModels {
  readonly db: ReadModelDb;
  readonly description: string;
  /** PostgreSQL takes row locks on checkpoints; SQLite has a single writer. */
  readonly lockCheckpoints: boolean;
}

/**
 * The read-model database the configuration names: PostgreSQL with `DATABASE_URL`, else SQLite
 * (`options` apply to SQLite only).
 */
export const openReadModels = (
  config: Pick<ServiceConfig, 'databaseUrl' | 'dataDir'>,
  options: SqliteReadModelOptions = {},
): OpenedReadModels => {
  if (config.databaseUrl !== undefined) {
    const url = new URL(config.databaseUrl);
    return {
      db: openPostgresReadModels(config.databaseUrl),
      description: `PostgreSQL ${url.host}${url.pathname}`,
      lockCheckpoints: true,
    };
  }
  const path = join(resolve(config.dataDir), 'readmodels.db');
  return {
    db: openSqliteReadModels(path, options),
    description: `SQLite ${path}`,
    lockCheckpoints: false,
  };
};
