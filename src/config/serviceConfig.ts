import { z } from 'zod';
import { validationError } from '../domain/docketError.js';
import { err, ok, type Result } from '../domain/result.js';

/** An unset variable and an empty one mean the same: the default. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((v) => (v === '' || v === undefined ? fallback : v), schema);

const url = (protocols: readonly string[], example: string) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `a URL like ${example}` },
  );

/** What one `docket serve` process does; any of them may run alone, any number of times. */
export const serviceRoles = ['api', 'timers', 'projector'] as const;
export type ServiceRole = (typeof serviceRoles)[number];

/** `api,timers`: a comma-separated list of roles, each once; all three when unset. */
export const rolesSchema = z
  .string()
  .transform((text) => text.split(',').map((r) => r.trim()))
  .pipe(
    z
      .array(z.enum(serviceRoles, { error: `a role: ${serviceRoles.join(', ')}` }))
      .min(1)
      .refine((roles) => new Set(roles).size === roles.length, 'each role once'),
  );

/** Environment variables the service reads (docs/configuration.md lists them). */
export const serviceEnvSchema = z.object({
  DOCKET_ROLES: withDefault(rolesSchema, serviceRoles.join(',')),
  PORT: withDefault(z.coerce.number().int().min(0).max(65_535), '3000'),
  HOST: withDefault(z.string().min(1), '127.0.0.1'),
  DOCKET_DATA_DIR: withDefault(z.string().min(1), './data'),
  DOCKET_POLICY: optional(z.string().min(1)),
  DOCKET_SQLITE_SYNCHRONOUS: withDefault(z.enum(['full', 'normal']), 'full'),
  DOCKET_BODY_LIMIT: withDefault(z.coerce.number().int().min(1_024).max(10_485_760), '262144'),
  LOG_LEVEL: withDefault(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    'info',
  ),
  ESDB_URL: optional(
    url(['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover'], 'esdb://host:2113?tls=false'),
  ),
  REDIS_URL: optional(url(['redis', 'rediss'], 'redis://127.0.0.1:6379')),
  DOCKET_REDIS_PREFIX: withDefault(
    z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . - (at most 100)'),
    'docket',
  ),
  DATABASE_URL: optional(url(['postgres', 'postgresql'], 'postgres://user@host:5432/docket')),
});

export interface ServiceConfig {
  /** The roles this process runs (`--roles`, `DOCKET_ROLES`). */
  readonly roles: readonly ServiceRole[];
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly policyFile: string | undefined;
  readonly sqliteSynchronous: 'full' | 'normal';
  readonly bodyLimit: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly esdbUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** Key prefix of Docket's BullMQ queues in Redis. */
  readonly redisPrefix: string;
  readonly databaseUrl: string | undefined;
}

/** Reads the configuration from `env`; every bad variable is named with what is wrong. */
export const loadServiceConfig = (env: NodeJS.ProcessEnv): Result<ServiceConfig> => {
  const parsed = serviceEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: `${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`,
    }));
    return err(
      validationError(
        `invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        issues,
      ),
    );
  }
  const e = parsed.data;
  return ok({
    roles: e.DOCKET_ROLES,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DOCKET_DATA_DIR,
    policyFile: e.DOCKET_POLICY,
    sqliteSynchronous: e.DOCKET_SQLITE_SYNCHRONOUS,
    bodyLimit: e.DOCKET_BODY_LIMIT,
    logLevel: e.LOG_LEVEL,
    esdbUrl: e.ESDB_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.DOCKET_REDIS_PREFIX,
    databaseUrl: e.DATABASE_URL,
  });
};
