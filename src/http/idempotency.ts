import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import { validationError } from '../domain/docketError.js';

const KEY = /^[A-Za-z0-9._:~-]{1,200}$/;

const digest = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex');

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

/** The command id of a request: derived from the actor and key, so retries share it. */
export const commandIdFor = (actor: Actor, key: string | undefined): string | undefined =>
  key === undefined ? undefined : digest('command', actor.role, actor.id, key).slice(0, 32);

/**
 * The id of a case a request opens: derived from the tenant, actor and key when there is a key
 * (a retried open finds the case its first attempt opened), random otherwise.
 */
export const newCaseId = (actor: Actor, key: string | undefined): string => {
  const tenant = 'tenant' in actor ? actor.tenant : '';
  return `c${key === undefined ? randomBytes(10).toString('hex') : digest('case', tenant, actor.id, key).slice(0, 20)}`;
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
