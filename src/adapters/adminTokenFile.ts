import { chmod, open, stat } from 'node:fs/promises';
import { validationError } from '../domain/docketError.js';

/**
 * Writes the first admin token to `path` (`DOCKET_ADMIN_TOKEN_FILE`), readable by the owner
 * only (mode 0600), instead of printing it. A new file is created exclusively; an existing empty
 * file (made ready for it, a mounted volume's placeholder) is filled and its mode set to 0600;
 * an existing file with content is never overwritten: that is an error naming the path, and the
 * token, which exists only in memory, is not shown anywhere.
 */
export const writeAdminTokenFile = async (path: string, token: string): Promise<void> => {
  const content = `${token}\n`;
  try {
    const file = await open(path, 'wx', 0o600);
    try {
      await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw refused(path, error);
  }
  const existing = await stat(path).catch((error: unknown) => {
    throw refused(path, error);
  });
  if (!existing.isFile() || existing.size > 0)
    throw validationError(
      `DOCKET_ADMIN_TOKEN_FILE: ${path} already exists and is not empty: it is not overwritten. ${recovery}`,
      [{ path: 'DOCKET_ADMIN_TOKEN_FILE', message: 'exists and is not empty' }],
    );
  // r+: the file must still be there, and is not truncated by opening it.
  const file = await open(path, 'r+').catch((error: unknown) => {
    throw refused(path, error);
  });
  try {
    await chmod(path, 0o600);
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
};

const recovery =
  'The first admin token was issued but is shown nowhere: revoke it (`docket tokens list`, `docket tokens revoke <id>`) and issue another with `docket tokens create --role admin --name <name>`';

const refused = (path: string, error: unknown) =>
  validationError(
    `DOCKET_ADMIN_TOKEN_FILE: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}). ${recovery}`,
    [{ path: 'DOCKET_ADMIN_TOKEN_FILE', message: 'cannot be written' }],
  );
