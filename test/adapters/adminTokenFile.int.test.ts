import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAdminTokenFile } from '../../src/adapters/adminTokenFile.js';

const dir = mkdtempSync(join(tmpdir(), 'docket-admin-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('admin token file', () => {
  it('creates the file, readable by its owner only, holding the token', async () => {
    const path = join(dir, 'new');
    await writeAdminTokenFile(path, 'dkt_first');
    expect(readFileSync(path, 'utf8')).toBe('dkt_first\n');
    expect(modeOf(path)).toBe(0o600);
  });

  it('fills an existing empty file and makes it 0600', async () => {
    const path = join(dir, 'placeholder');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    await writeAdminTokenFile(path, 'dkt_second');
    expect(readFileSync(path, 'utf8')).toBe('dkt_second\n');
    expect(modeOf(path)).toBe(0o600);
  });

  it('never overwrites a file with content', async () => {
    const path = join(dir, 'taken');
    writeFileSync(path, 'dkt_earlier\n');
    await expect(writeAdminTokenFile(path, 'dkt_third')).rejects.toThrow(
      `DOCKET_ADMIN_TOKEN_FILE: ${path} already exists and is not empty`,
    );
    expect(readFileSync(path, 'utf8')).toBe('dkt_earlier\n');
  });

  it('names the path it cannot write', async () => {
    const path = join(dir, 'no-such-dir', 'token');
    await expect(writeAdminTokenFile(path, 'dkt_fourth')).rejects.toThrow(
      `DOCKET_ADMIN_TOKEN_FILE: cannot write ${path} (ENOENT)`,
    );
    await expect(writeAdminTokenFile(dir, 'dkt_fifth')).rejects.toThrow(
      /already exists|cannot write/,
    );
  });
});
