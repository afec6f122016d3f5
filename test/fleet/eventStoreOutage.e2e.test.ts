import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EsdbTestServer } from '../support/esdbTestServer.js';
import { eventually, repoRoot, tempDir } from './fleet.js';

/**
 * The event store away when `docket serve` starts (#15): EventStoreDB (the protocol-level test
 * server, killed before the service starts) does not answer. The process stays up, answers
 * `/health` 200 and `/ready` 503 naming the event store, retries, and starts the service by
 * itself once the store is back; SIGTERM while it waits ends it cleanly.
 */
describe('EventStoreDB away when docket serve starts', () => {
  const dir = tempDir('esdb-outage');
  const children: ReturnType<typeof spawn>[] = [];
  let esdb: EsdbTestServer | undefined;

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await esdb?.stop();
    dir.remove();
  });

  const serve = (connectionString: string) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/docket.js'), 'serve'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: 'silent',
        DOCKET_ROLES: 'api',
        DOCKET_DATA_DIR: dir.path,
        ESDB_URL: connectionString,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  };

  it('waits live and not ready, then starts once the store answers', async () => {
    esdb = await EsdbTestServer.start();
    esdb.kill();
    const server = serve(esdb.connectionString);
    const waitingOn = await eventually(
      'the waiting listener',
      () =>
        /waiting for the event store; \/health and \/ready on (http:\/\/\S+)/.exec(
          server.stdout(),
        )?.[1],
    );
    expect((await fetch(`${waitingOn}/health`)).status).toBe(200);
    const ready = await fetch(`${waitingOn}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      code: 'not-ready',
      checks: [{ name: 'event-store', ready: false }],
    });
    expect(server.stderr()).toMatch(/the event store cannot be reached/);

    await esdb.restart();
    const url = await eventually(
      'the service to start',
      () => /docket: listening on (http:\/\/\S+)/.exec(server.stdout())?.[1],
      { timeoutMs: 30_000 },
    );
    const answered = await eventually('the service to be ready', async () => {
      const res = await fetch(`${url}/ready`);
      return res.status === 200 ? res : undefined;
    });
    expect(answered.status).toBe(200);
    expect(server.stdout()).toMatch(/\n {2}dkt_/); // the first admin token, on the store now up
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('SIGTERM while it waits ends it with exit 0', async () => {
    const gone = await EsdbTestServer.start();
    gone.kill();
    const server = serve(gone.connectionString);
    await eventually('the waiting listener', () =>
      /waiting for the event store/.test(server.stdout()) ? true : undefined,
    );
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await gone.stop();
  });
});
