import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerHealthcheckCommand, repoFile, repoRoot } from './deployFiles.js';

/**
 * The production install, as the container image does it, without Docker: the package as
 * `npm pack` makes it (what `files` in package.json lets in, dist/ as `npm test` has just built
 * it) is unpacked in a clean folder with the repository's package-lock.json and installed with
 * `npm ci --omit=dev` from the npm registry (better-sqlite3 compiles from source here: two
 * minutes or so), then `node bin/docket.js serve` — the image's ENTRYPOINT and CMD — must become
 * ready on GET /ready, pass the image's HEALTHCHECK and exit 0 on SIGTERM.
 * docs/deployment.md says what this does and does not cover.
 */

const run = promisify(execFile);
/** npm ci with a C++ build, slower while the rest of `npm test` runs beside it. */
const installTimeoutMs = 360_000;

/** The environment without what an enclosing `npm test` sets (npm_config_*, npm_package_*). */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

/** A command in `cwd`, at a lower priority than the tests running beside it (npm compiles C++). */
const command = (cwd: string, file: string, args: string[]) =>
  run(
    process.platform === 'linux' ? 'nice' : file,
    process.platform === 'linux' ? ['-n', '10', file, ...args] : args,
    { cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024, timeout: installTimeoutMs },
  );

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the production install (npm pack, npm ci --omit=dev, docket serve)', () => {
  const root = mkdtempSync(join(tmpdir(), 'docket-install-'));
  const appDir = join(root, 'app');
  let packed: { filename: string; files: { path: string }[] };
  let installSeconds = 0;

  beforeAll(async () => {
    // `npm test` builds dist/ first; packing without scripts leaves that build alone (a
    // rebuild would rewrite dist/ under the other tests that run bin/docket.js meanwhile).
    if (!existsSync(repoFile('dist/src/cli/main.js')))
      throw new Error('dist/ is missing: run `npm run build` (npm test does) before this test');
    const { stdout } = await command(repoRoot, 'npm', [
      'pack',
      '--ignore-scripts',
      '--json',
      '--pack-destination',
      root,
    ]);
    packed = (JSON.parse(stdout) as (typeof packed)[])[0]!;
    // The tarball holds package/...: unpacked, it is the folder the image's build stage has.
    await command(root, 'tar', ['-xzf', packed.filename]);
    renameSync(join(root, 'package'), appDir);
    copyFileSync(repoFile('package-lock.json'), join(appDir, 'package-lock.json'));
    const started = performance.now();
    // As the Dockerfile: the locked versions, no devDependencies; --ignore-scripts keeps the
    // package's own `prepare` (a build with tsc, a devDependency) from running, and
    // `npm rebuild` then runs the dependencies' install scripts (better-sqlite3's build).
    await command(appDir, 'npm', [
      'ci',
      '--omit=dev',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
    ]);
    await command(appDir, 'npm', ['rebuild']);
    installSeconds = Math.round((performance.now() - started) / 1000);
  }, installTimeoutMs + 60_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('packs the compiled code and the bin, no sources, tests or source maps', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toContain('bin/docket.js');
    expect(files).toContain('dist/src/cli/main.js');
    expect(files).toContain('package.json');
    const stray = files.filter(
      (f) => !/^(bin|dist)\//.test(f) && !['package.json', 'README.md'].includes(f),
    );
    expect(stray).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map') || f.endsWith('.ts'))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|bench)\//.test(f))).toEqual([]);
  });

  it('installs the dependencies and none of the devDependencies', () => {
    console.info(`production install: npm ci --omit=dev and npm rebuild took ${installSeconds} s`);
    const modules = join(appDir, 'node_modules');
    expect(existsSync(join(modules, 'better-sqlite3', 'build', 'Release'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'tsx', 'eslint', 'knip']) {
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    }
  });

  it('serves GET /ready, passes the image healthcheck, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = join(root, 'data');
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DOCKET_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    // The image's ENTRYPOINT and CMD, run from the installed folder.
    const child: ChildProcess = spawn(process.execPath, ['bin/docket.js', 'serve'], {
      cwd: appDir,
      env,
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve((exitCode = code)));
      child.on('error', (error) => {
        output += String(error);
        resolve((exitCode = null));
      });
    });
    try {
      // Poll /ready until 200, within a deadline.
      const deadline = performance.now() + 60_000;
      let last = 'no answer';
      for (;;) {
        if (exitCode !== undefined) throw new Error(`serve exited with ${exitCode}:\n${output}`);
        const status = await fetch(`http://127.0.0.1:${port}/ready`).then(
          (r) => r.status,
          (error: unknown) => String(error),
        );
        if (status === 200) break;
        last = String(status);
        if (performance.now() > deadline)
          throw new Error(`GET /ready never answered 200 (last: ${last}):\n${output}`);
        await sleep(200);
      }
      expect(existsSync(join(dataDir, 'docket.db'))).toBe(true);

      // The container's HEALTHCHECK, run as Docker would run it (same command, PORT set).
      const [command, ...args] = dockerHealthcheckCommand();
      const healthcheck = await new Promise<number | null>((resolve) =>
        spawn(command === 'node' ? process.execPath : command!, args, {
          env: { PATH: process.env.PATH, PORT: String(port) },
          stdio: 'ignore',
        }).on('exit', resolve),
      );
      expect(healthcheck).toBe(0);
    } finally {
      if (exitCode === undefined) child.kill('SIGTERM');
    }
    const code = await Promise.race([exited, sleep(30_000).then(() => 'still running')]);
    if (code === 'still running') child.kill('SIGKILL');
    expect(code, output).toBe(0);
  }, 120_000);
});
