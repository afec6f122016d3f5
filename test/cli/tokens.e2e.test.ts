import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `docket tokens create|list|revoke` against the embedded store (SQLite under DOCKET_DATA_DIR),
 * run as the built binary (`npm test` builds dist/ first).
 */
const dataDir = mkdtempSync(join(tmpdir(), 'docket-tokens-'));
const env = { ...process.env, DOCKET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
const docket = (...args: string[]) => {
  const run = spawnSync(process.execPath, ['bin/docket.js', 'tokens', ...args], {
    env,
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

interface Listed {
  tokenId: string;
  role: string;
  tenant?: string;
  name?: string;
  issuedAt: string;
  revoked: boolean;
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// Each run starts a Node process (seconds on a loaded two-core machine).
describe('docket tokens list and revoke', { timeout: 120_000 }, () => {
  it('list on a store without tokens says so', () => {
    expect(docket('list')).toEqual({ code: 0, stdout: 'no tokens\n', stderr: '' });
    expect(docket('list', '--json')).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('lists, revokes once, and says when a token was already revoked', () => {
    const created = docket('create', '--role', 'agent', '--name', 'li', '--json');
    expect(created.code, created.stderr).toBe(0);
    const { token, tokenId } = JSON.parse(created.stdout) as { token: string; tokenId: string };
    expect(docket('create', '--role', 'auditor').code).toBe(0);

    const listed = docket('list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const tokens = JSON.parse(listed.stdout) as Listed[];
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toEqual({
      tokenId,
      role: 'agent',
      name: 'li',
      issuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      revoked: false,
    });
    expect(tokens[1]).toMatchObject({ role: 'auditor', revoked: false });
    // Neither the secret nor its hash, in either form.
    const text = docket('list');
    for (const out of [listed.stdout, text.stdout]) {
      expect(out).not.toContain(token);
      expect(out).not.toMatch(/dkt_|hash|[0-9a-f]{64}/);
    }
    expect(text.stdout.split('\n')[0]).toMatch(
      /^TOKEN ID +ROLE +TENANT +NAME +ISSUED AT +REVOKED$/,
    );
    expect(text.stdout).toMatch(new RegExp(`^${tokenId} +agent +- +li +\\S+ +no$`, 'm'));

    const revoked = docket('revoke', tokenId);
    expect(revoked).toEqual({
      code: 0,
      stdout: `revoked token ${tokenId} (agent li)\n`,
      stderr: '',
    });
    const again = docket('revoke', tokenId);
    expect(again).toEqual({
      code: 0,
      stdout: `token ${tokenId} (agent li) was already revoked\n`,
      stderr: '',
    });
    const after = JSON.parse(docket('list', '--json').stdout) as Listed[];
    expect(after.map((t) => t.revoked)).toEqual([true, false]);
  });

  it('revoke of an unknown token id fails with a message on stderr', () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-token-id']) {
      const run = docket('revoke', id);
      expect(run.code, id).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`docket: token ${id} not found [not-found]\n`);
    }
  });

  it('revoke needs a token id', () => {
    const run = docket('revoke');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/missing required argument 'tokenId'/);
  });

  it('create takes an e-mail address and a language for notifications, and checks them', () => {
    const created = docket(
      'create',
      '--role',
      'agent',
      '--name',
      'mei',
      '--email',
      'mei@support.example',
      '--language',
      'fr',
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      name: 'mei',
      email: 'mei@support.example',
      language: 'fr',
    });
    const bad = docket('create', '--role', 'agent', '--email', 'nope', '--language', 'de');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/email/);
    expect(bad.stderr).toMatch(/language/);
  });
});
