import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import {
  loadServiceConfig,
  rolesSchema,
  secretVariables,
  serviceEnvSchema,
  serviceRoles,
} from '../../src/config/serviceConfig.js';
import {
  commandOf,
  dependenciesOf,
  dockerHealthcheckCommand,
  dockerignoreComplexPatterns,
  environmentOf,
  envPairs,
  execForm,
  healthcheck,
  inBuildContext,
  readCompose,
  readDockerfile,
  repoFile,
  secretMounts,
  volumeMounts,
} from './deployFiles.js';

/**
 * What CI can check of the deployment artefacts without a Docker engine (none runs here): the
 * compose file and the Dockerfile are parsed and held against what Docket has (its CLI, its
 * roles, the variables `docket serve` reads). Images are never built or run here.
 */

const knownVariables = new Set(Object.keys(serviceEnvSchema.shape));
const fileVariables = new Set(secretVariables.map((name) => `${name}_FILE`));
/** A variable `docket serve` reads, itself or as the file holding it (`DATABASE_URL_FILE`). */
const isKnownVariable = (name: string) => knownVariables.has(name) || fileVariables.has(name);

const packageJson = JSON.parse(readFileSync(repoFile('package.json'), 'utf8')) as {
  bin: Record<string, string>;
  engines: { node: string };
};

describe('docker-compose.yml', () => {
  const { compose, errors } = readCompose();
  const services = Object.entries(compose.services);
  /** Docket's own services: those built from this repository. */
  const docket = services.filter(([, s]) => s.build !== undefined || s.image?.startsWith('docket'));

  it('parses without errors or warnings', () => {
    expect(errors).toEqual([]);
    expect(services.length).toBeGreaterThan(0);
  });

  it('runs EventStoreDB, Redis and PostgreSQL, each with a healthcheck', () => {
    for (const name of ['eventstore', 'redis', 'postgres']) {
      expect(compose.services[name], name).toBeDefined();
      expect(compose.services[name]!.healthcheck?.test, name).toBeDefined();
    }
  });

  it('runs two api, two timers and one projector instances, each built from the Dockerfile', () => {
    const roles = docket.map(([name, s]) => [name, commandOf(s).slice(2).join(' ')]);
    expect(Object.fromEntries(roles)).toEqual({
      'api-1': 'api',
      'api-2': 'api',
      'timers-1': 'timers',
      'timers-2': 'timers',
      projector: 'projector',
    });
    for (const [name, service] of docket) {
      const build = typeof service.build === 'string' ? { context: service.build } : service.build;
      expect(build?.context, name).toBe('.');
      expect(build?.dockerfile ?? 'Dockerfile', name).toBe('Dockerfile');
      expect(existsSync(repoFile('Dockerfile'))).toBe(true);
    }
    expect(new Set(docket.map(([, s]) => s.image)).size).toBe(1);
  });

  it("gives each Docket service the command `serve --roles <roles>`, with Docket's roles only", async () => {
    for (const [name, service] of docket) {
      const [command, flag, roles, ...rest] = commandOf(service);
      expect([command, flag, rest], name).toEqual(['serve', '--roles', []]);
      const parsed = rolesSchema.safeParse(roles);
      expect(parsed.success, `${name}: --roles ${roles}`).toBe(true);
      for (const role of parsed.data ?? []) expect(serviceRoles).toContain(role);
    }
    // The CLI has that command and option (the entrypoint is bin/docket.js, i.e. this CLI).
    let help = '';
    const io = { out: (t: string) => void (help += t), err: (t: string) => void (help += t) };
    expect(await main(['serve', '--help'], io)).toBe(0);
    expect(help).toContain('--roles <roles>');
  });

  it('sets on Docket services only variables `docket serve` reads (a _FILE form for its base name)', () => {
    for (const name of secretVariables) expect(knownVariables).toContain(name);
    for (const [name, service] of docket) {
      const unknown = Object.keys(environmentOf(service)).filter((v) => !isKnownVariable(v));
      expect(unknown, `${name}: variables serviceEnvSchema does not know`).toEqual([]);
    }
  });

  it('points every *_FILE variable at a mounted secret or volume, and the values validate', () => {
    const secrets = compose.secrets ?? {};
    for (const [name, service] of docket) {
      const resolved: Record<string, string> = {};
      for (const [variable, value] of Object.entries(environmentOf(service))) {
        const secret = secretMounts(service).get(value);
        if (!variable.endsWith('_FILE')) {
          resolved[variable] = value;
        } else if (secret !== undefined) {
          // A secret the service mounts, read from a file in the repository (local use only).
          const file = secrets[secret]?.file;
          expect(file, `${name}: secret ${secret} is not defined with a file`).toBeDefined();
          expect(existsSync(repoFile(file!)), `${name}: ${file}`).toBe(true);
          resolved[variable.slice(0, -5)] = readFileSync(repoFile(file!), 'utf8').trim();
        } else {
          // A file the service writes (the first admin token) lies on a volume it mounts.
          const mounted = [...volumeMounts(service).keys()].some((at) =>
            value.startsWith(`${at}/`),
          );
          expect(mounted, `${name}: ${variable}=${value} is no secret and on no volume`).toBe(true);
          resolved[variable] = value;
        }
      }
      const roles = commandOf(service)[2]!;
      const config = loadServiceConfig({ ...resolved, DOCKET_ROLES: roles });
      expect(config.ok ? undefined : config.error.message, name).toBeUndefined();
      if (config.ok) {
        expect(config.value.esdbUrl, name).toMatch(/^esdb:\/\/eventstore:/);
        expect(config.value.redisUrl, name).toMatch(/^redis:\/\/redis:/);
        expect(config.value.databaseUrl, name).toMatch(/^postgres(ql)?:\/\/[^@]+@postgres:/);
      }
    }
  });

  it('has the API instances write the first admin token to one file on a volume they share', () => {
    const api = docket.filter(([, s]) => commandOf(s)[2]!.split(',').includes('api'));
    const places = api.map(([, s]) => {
      const file = environmentOf(s).DOCKET_ADMIN_TOKEN_FILE;
      const mount = [...volumeMounts(s)].find(([at]) => file?.startsWith(`${at}/`));
      return `${mount?.[1]}:${file}`;
    });
    expect(places.length).toBe(2);
    expect(new Set(places).size).toBe(1);
    expect(Object.keys(compose.volumes ?? {})).toContain(places[0]!.split(':')[0]);
  });

  it('names only defined services in depends_on, and waits for the backends to be healthy', () => {
    for (const [name, service] of services) {
      for (const dependency of dependenciesOf(service)) {
        expect(Object.keys(compose.services), `${name} depends on ${dependency}`).toContain(
          dependency,
        );
      }
    }
    for (const [name, service] of docket) {
      const dependsOn = service.depends_on as Record<string, { condition?: string }>;
      expect(Object.keys(dependsOn).sort(), name).toEqual(['eventstore', 'postgres', 'redis']);
      for (const [dependency, { condition }] of Object.entries(dependsOn)) {
        expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
        expect(compose.services[dependency]!.healthcheck?.disable, dependency).not.toBe(true);
      }
      // Docket's own healthcheck is the image's (GET /ready); none may switch it off.
      expect(service.healthcheck?.disable, name).not.toBe(true);
    }
  });

  it('declares every named volume and secret the services use', () => {
    const volumes = Object.keys(compose.volumes ?? {});
    const secrets = Object.keys(compose.secrets ?? {});
    for (const [name, service] of services) {
      for (const source of volumeMounts(service).values()) {
        if (source === undefined || /^[./~]/.test(source)) continue;
        expect(volumes, `${name}: volume ${source}`).toContain(source);
      }
      for (const secret of secretMounts(service).values()) {
        expect(secrets, `${name}: secret ${secret}`).toContain(secret);
      }
    }
  });

  it('publishes the API instances on distinct host ports, to the port the image listens on', () => {
    const published = docket
      .filter(([, s]) => commandOf(s)[2]!.split(',').includes('api'))
      .flatMap(([, s]) => (s.ports ?? []).map(String));
    expect(published.length).toBe(2);
    for (const port of published) expect(port).toMatch(/:3000$/);
    expect(new Set(published.map((p) => p.split(':').slice(0, -1).join(':'))).size).toBe(2);
  });
});

describe('Dockerfile', () => {
  const stages = readDockerfile();
  const build = stages[0]!;
  const runtime = stages.at(-1)!;
  const all = (keyword: string, stage = runtime) =>
    stage.instructions.filter((i) => i.keyword === keyword);
  const runtimeEnv = Object.fromEntries(all('ENV').flatMap((i) => envPairs(i.args)));

  it('builds in one stage and runs in another, both on Node 20 (package.json engines)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(packageJson.engines.node).toMatch(/^>=20\./);
    for (const stage of stages) expect(stage.image).toMatch(/^node:20[.-]/);
    const runs = all('RUN', build)
      .map((i) => i.args)
      .join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm prune --omit=dev|npm ci --omit=dev/);
    expect(runs).toMatch(/\bg\+\+/); // better-sqlite3 compiles from source when it must
  });

  it('copies into the build stage only what exists and what .dockerignore lets in', () => {
    expect(dockerignoreComplexPatterns()).toEqual([]);
    for (const ignored of ['node_modules', 'dist', 'data', '.git', 'test', 'docs', 'deploy']) {
      expect(inBuildContext(ignored), ignored).toBe(false);
    }
    for (const copy of all('COPY', build)) {
      const words = (execForm(copy.args) ?? copy.args.split(/\s+/)).filter(
        (w) => !w.startsWith('--'),
      );
      for (const source of words.slice(0, -1)) {
        expect(existsSync(repoFile(source)), source).toBe(true);
        expect(inBuildContext(source.replace(/\/$/, '').split('/')[0]!), source).toBe(true);
      }
    }
  });

  it('runs with only dist/, bin/, production node_modules and package.json from the build', () => {
    const copies = all('COPY').map((i) => i.args.split(/\s+/));
    for (const words of copies) expect(words[0], words.join(' ')).toMatch(/^--from=/);
    const sources = copies.map((w) => w.filter((x) => !x.startsWith('--'))[0]).sort();
    expect(sources).toEqual(['/app/bin', '/app/dist', '/app/node_modules', '/app/package.json']);
  });

  it('runs as a user that is not root', () => {
    const user = all('USER').at(-1)?.args.split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('listens on every interface, on the port it exposes, with known variables only', () => {
    expect(runtimeEnv.HOST).toBe('0.0.0.0');
    const port = runtimeEnv.PORT ?? '3000';
    expect(all('EXPOSE').flatMap((i) => i.args.split(/\s+/))).toContain(port);
    for (const name of Object.keys(runtimeEnv)) expect(isKnownVariable(name), name).toBe(true);
    // The data directory is a volume.
    const volumes = all('VOLUME').flatMap((i) => execForm(i.args) ?? i.args.split(/\s+/));
    expect(volumes).toContain(runtimeEnv.DOCKET_DATA_DIR);
    expect(loadServiceConfig(runtimeEnv).ok).toBe(true);
  });

  it('runs bin/docket.js (the package bin) with `serve`', () => {
    expect(execForm(all('ENTRYPOINT').at(-1)!.args)).toEqual(['node', packageJson.bin.docket]);
    expect(packageJson.bin.docket).toBe('bin/docket.js');
    expect(execForm(all('CMD').at(-1)!.args)).toEqual(['serve']);
  });

  it('checks health with node on GET /ready', () => {
    const check = all('HEALTHCHECK');
    expect(check.length).toBe(1);
    const { options, command } = healthcheck(check[0]!.args);
    expect(command?.[0]).toBe('node');
    expect(command?.join(' ')).toContain('/ready');
    expect(Object.keys(options).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
  });

  it('its healthcheck command exits 0 on 200 from /ready, 1 on 503 or a closed port', async () => {
    const [file, ...args] = dockerHealthcheckCommand();
    const paths: string[] = [];
    let status = 200;
    const server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const run = (p: number) =>
      new Promise<number | null>((resolve) =>
        spawn(file === 'node' ? process.execPath : file!, args, {
          env: { PATH: process.env.PATH, PORT: String(p) },
          stdio: 'ignore',
        }).on('exit', resolve),
      );
    try {
      expect(await run(port)).toBe(0);
      status = 503;
      expect(await run(port)).toBe(1);
      expect(paths).toEqual(['/ready', '/ready']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await run(port)).toBe(1);
  });
});
