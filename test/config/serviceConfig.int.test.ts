import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../../src/config/serviceConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'docket-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const secret = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const messageOf = (env: NodeJS.ProcessEnv) => {
  const config = loadServiceConfig(env);
  return config.ok ? undefined : config.error.message;
};

describe('service configuration: secrets from files', () => {
  it('reads ESDB_URL, REDIS_URL and DATABASE_URL from <NAME>_FILE, trimmed', () => {
    const config = loadServiceConfig({
      ESDB_URL_FILE: secret('esdb', 'esdb://eventstore:2113?tls=false\n'),
      REDIS_URL_FILE: secret('redis', '  redis://:s3cret@redis:6379 \n'),
      DATABASE_URL_FILE: secret('pg', 'postgres://docket:pw@postgres:5432/docket'),
    });
    expect(config.ok && config.value).toMatchObject({
      esdbUrl: 'esdb://eventstore:2113?tls=false',
      redisUrl: 'redis://:s3cret@redis:6379',
      databaseUrl: 'postgres://docket:pw@postgres:5432/docket',
    });
  });

  it('reads DOCKET_SMTP_URL from DOCKET_SMTP_URL_FILE; it needs DOCKET_MAIL_FROM; without it no e-mail is configured', () => {
    const config = loadServiceConfig({
      DOCKET_SMTP_URL_FILE: secret('smtp', 'smtps://docket:s3cret@relay.example:465\n'),
      DOCKET_MAIL_FROM: 'Docket <support@example.com>',
    });
    expect(config.ok && config.value).toMatchObject({
      smtpUrl: 'smtps://docket:s3cret@relay.example:465',
      mailFrom: 'Docket <support@example.com>',
    });
    const noFrom = messageOf({ DOCKET_SMTP_URL_FILE: secret('smtp2', 'smtp://relay:25') });
    expect(noFrom).toContain('DOCKET_MAIL_FROM: set it with DOCKET_SMTP_URL');
    const bad = messageOf({ DOCKET_SMTP_URL_FILE: secret('smtp3', 'http://u:hunter2@relay') });
    expect(bad).toContain('DOCKET_SMTP_URL: a URL like smtp://');
    expect(bad).not.toContain('hunter2');
    const none = loadServiceConfig({});
    expect(none.ok && none.value).toMatchObject({ smtpUrl: undefined, mailFrom: undefined });
  });

  it('refuses a variable given both ways', () => {
    expect(
      messageOf({ REDIS_URL: 'redis://a:6379', REDIS_URL_FILE: secret('r2', 'redis://b:6379') }),
    ).toMatch(/REDIS_URL: REDIS_URL and REDIS_URL_FILE are both set/);
  });

  it('names the variable and the path of a file it cannot read, or that is empty', () => {
    const missing = join(dir, 'nope');
    expect(messageOf({ DATABASE_URL_FILE: missing })).toContain(
      `DATABASE_URL_FILE: cannot read ${missing} (ENOENT)`,
    );
    expect(messageOf({ ESDB_URL_FILE: dir })).toContain(
      `ESDB_URL_FILE: cannot read ${dir} (EISDIR)`,
    );
    const empty = secret('empty', ' \n');
    expect(messageOf({ ESDB_URL_FILE: empty })).toContain(`ESDB_URL_FILE: ${empty} is empty`);
  });

  it('says where a bad value came from without showing it', () => {
    const path = secret('bad', 'http://user:hunter2@redis:6379');
    const message = messageOf({ REDIS_URL_FILE: path, PORT: 'eighty' });
    expect(message).toContain(
      `REDIS_URL: a URL like redis://127.0.0.1:6379 (read from REDIS_URL_FILE ${path})`,
    );
    expect(message).toContain('PORT:');
    expect(message).not.toContain('hunter2');
  });
});

describe('service configuration: operations', () => {
  it('has access logs off, no tracing and no admin token file by default', () => {
    const config = loadServiceConfig({});
    expect(config.ok && config.value).toMatchObject({
      accessLog: false,
      otlpEndpoint: undefined,
      serviceName: 'docket',
      adminTokenFile: undefined,
    });
  });

  it('reads DOCKET_ACCESS_LOG, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, DOCKET_ADMIN_TOKEN_FILE', () => {
    const config = loadServiceConfig({
      DOCKET_ACCESS_LOG: 'on',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'docket-api',
      DOCKET_ADMIN_TOKEN_FILE: '/var/lib/docket/admin-token',
    });
    expect(config.ok && config.value).toMatchObject({
      accessLog: true,
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'docket-api',
      adminTokenFile: '/var/lib/docket/admin-token',
    });
    expect(messageOf({ DOCKET_ACCESS_LOG: 'yes' })).toMatch(/DOCKET_ACCESS_LOG/);
    expect(messageOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toMatch(
      /OTEL_EXPORTER_OTLP_ENDPOINT: a URL like http:\/\/collector:4318/,
    );
  });
});

describe('service configuration: webhooks', () => {
  it('refuses private webhook addresses unless DOCKET_WEBHOOKS_ALLOW_PRIVATE=1', () => {
    const byDefault = loadServiceConfig({});
    expect(byDefault.ok && byDefault.value.webhooksAllowPrivate).toBe(false);
    const allowed = loadServiceConfig({ DOCKET_WEBHOOKS_ALLOW_PRIVATE: '1' });
    expect(allowed.ok && allowed.value.webhooksAllowPrivate).toBe(true);
    expect(messageOf({ DOCKET_WEBHOOKS_ALLOW_PRIVATE: 'yes' })).toMatch(
      /DOCKET_WEBHOOKS_ALLOW_PRIVATE/,
    );
  });
});
