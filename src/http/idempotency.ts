import { validationError } from '../domain/docketError.js';

const KEY = /^[A-Za-z0-9._:~-]{1,200}$/;

/**
 * The `Idempotency-Key` header, checked: 1–200 of letters, digits and `. _ : ~ -`. Throws a
 * validation error naming the header otherwise.
 */
export const idempotencyKey = (header: string | string[] | undefined): string | undefined => {
  if (header === undefined) return undefined;
  if (typeof header === 'string' && KEY.test(header)) return header;
  throw validationError('invalid Idempotency-Key header', [
    { path: 'headers.idempotency-key', message: '1–200 letters, digits, . _ : ~ -' },
  ]);
};

/** `If-Match: "3"` (or `3`, `W/"3"`) → 3. Throws a validation error for anything else. */
export const ifMatchRevision = (header: string | string[] | undefined): number | undefined => {
  if (header === undefined) return undefined;
  const match = typeof header === 'string' ? /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim()) : null;
  if (match?.[1] === undefined) {
    throw validationError('invalid If-Match header', [
      { path: 'headers.if-match', message: 'the case revision, as in the ETag: "3"' },
    ]);
  }
  return Number(match[1]);
};
