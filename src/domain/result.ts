import type { DocketError } from './docketError.js';

/** Failures the caller must branch on are data, not exceptions. */
export type Result<T, E = DocketError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
