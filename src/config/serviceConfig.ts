import { readFileSync } from 'node:fs';
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
  DOCKET_METRICS_PORT: optional(z.coerce.number().int().min(0).max(65_535)),
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
  DOCKET_ACCESS_LOG: withDefault(z.enum(['on', 'off']), 'off'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(url(['http', 'https'], 'http://collector:4318')),
  OTEL_SERVICE_NAME: withDefault(z.string().min(1), 'docket'),
  DOCKET_ADMIN_TOKEN_FILE: optional(z.string().min(1)),
  DOCKET_WEBHOOKS_ALLOW_PRIVATE: withDefault(z.enum(['0', '1']), '0'),
  DOCKET_SMTP_URL: optional(url(['smtp', 'smtps'], 'smtp://user:password@relay:587')),
  DOCKET_MAIL_FROM: optional(
    z
      .string()
      .max(300)
      .regex(/^[^\r\n]*[^\s@<>]+@[^\s@<>]+>?$/, 'an address, or a name and <address>'),
  ),
});

/** Variables holding a secret: each may be given as `<NAME>_FILE`, the path of a file holding it. */
export const secretVariables = [
  'ESDB_URL',
  'REDIS_URL',
  'DATABASE_URL',
  'DOCKET_SMTP_URL',
] as const;

interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * `env` with each secret given as `<NAME>_FILE` read from its file (trimmed), and where each
 * came from; both forms set, or a file that cannot be read or is empty, is an issue.
 */
const readSecretFiles = (env: NodeJS.ProcessEnv) => {
  const resolved: NodeJS.ProcessEnv = { ...env };
  const fromFile = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const name of secretVariables) {
    const fileVariable = `${name}_FILE`;
    const path = env[fileVariable];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      issues.push({
        path: name,
        message: `${name} and ${fileVariable} are both set: give the value or the file that holds it, not both`,
      });
      continue;
    }
    let value: string;
    try {
      value = readFileSync(path, 'utf8').trim();
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      issues.push({ path: fileVariable, message: `cannot read ${path} (${why})` });
      continue;
    }
    if (value === '') {
      issues.push({ path: fileVariable, message: `${path} is empty` });
      continue;
    }
    resolved[name] = value;
    fromFile.set(name, `${fileVariable} ${path}`);
  }
  return { resolved, fromFile, issues };
};

export interface ServiceConfig {
  /** The roles this process runs (`--roles`, `DOCKET_ROLES`). */
  readonly roles: readonly ServiceRole[];
  readonly port: number;
  readonly host: string;
  /**
   * `/metrics` is served on this port (with `/health` and `/ready`), not on `port`; unset:
   * on `port`.
   */
  readonly metricsPort?: number | undefined;
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
  /** A log line per request and per response (`DOCKET_ACCESS_LOG=on`). */
  readonly accessLog: boolean;
  /** Where traces go (OTLP over HTTP); none when unset. */
  readonly otlpEndpoint: string | undefined;
  /** The service name traces carry. */
  readonly serviceName: string;
  /** Where the first admin token is written (mode 0600) instead of being printed. */
  readonly adminTokenFile: string | undefined;
  /** Webhooks may go to private and loopback addresses (`DOCKET_WEBHOOKS_ALLOW_PRIVATE=1`). */
  readonly webhooksAllowPrivate: boolean;
  /** E-mail notifications go through this SMTP relay; none are sent when unset. */
  readonly smtpUrl: string | undefined;
  /** The `From:` of e-mail notifications (required with `smtpUrl`). */
  readonly mailFrom: string | undefined;
}

/** Reads the configuration from `env`; every bad variable is named with what is wrong. */
export const loadServiceConfig = (given: NodeJS.ProcessEnv): Result<ServiceConfig> => {
  const { resolved: env, fromFile, issues: fileIssues } = readSecretFiles(given);
  const parsed = serviceEnvSchema.safeParse(env);
  if (parsed.success && parsed.data.DOCKET_SMTP_URL !== undefined && !parsed.data.DOCKET_MAIL_FROM)
    fileIssues.push({
      path: 'DOCKET_MAIL_FROM',
      message: 'set it with DOCKET_SMTP_URL: the From of e-mail notifications',
    });
  if (!parsed.success || fileIssues.length > 0) {
    const issues = [
      ...fileIssues,
      ...(parsed.error?.issues ?? []).map((issue) => {
        const name = String(issue.path[0]);
        // A value read from a file is a secret: say where it came from, never what it is.
        const source = fromFile.get(name);
        return {
          path: issue.path.map(String).join('.'),
          message: `${issue.message} (${source === undefined ? `got ${JSON.stringify(env[name])}` : `read from ${source}`})`,
        };
      }),
    ];
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
    metricsPort: e.DOCKET_METRICS_PORT,
    dataDir: e.DOCKET_DATA_DIR,
    policyFile: e.DOCKET_POLICY,
    sqliteSynchronous: e.DOCKET_SQLITE_SYNCHRONOUS,
    bodyLimit: e.DOCKET_BODY_LIMIT,
    logLevel: e.LOG_LEVEL,
    esdbUrl: e.ESDB_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.DOCKET_REDIS_PREFIX,
    databaseUrl: e.DATABASE_URL,
    accessLog: e.DOCKET_ACCESS_LOG === 'on',
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: e.OTEL_SERVICE_NAME,
    adminTokenFile: e.DOCKET_ADMIN_TOKEN_FILE,
    webhooksAllowPrivate: e.DOCKET_WEBHOOKS_ALLOW_PRIVATE === '1',
    smtpUrl: e.DOCKET_SMTP_URL,
    mailFrom: e.DOCKET_MAIL_FROM,
  });
};
