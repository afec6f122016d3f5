import { z } from 'zod';
import type { CaseListCursor, CaseListSort } from '../../projections/caseListQuery.js';
import { validationError } from '../domain/docketError.js';

const cursorSchema = z.strictObject({
  s: z.enum(['due', 'updated']),
  k: z.string().max(64),
  c: z.string().max(128),
});

/** A page's end as an opaque token: the sort it belongs to, its key and case id (base64url JSON). */
export const encodeCursor = (cursor: CaseListCursor, sort: CaseListSort): string =>
  Buffer.from(JSON.stringify({ s: sort, k: cursor.key, c: cursor.caseId })).toString('base64url');

/** The cursor a client sent back; one that is not ours, or of another sort, is refused (400). */
export const decodeCursor = (
  token: string | undefined,
  sort: CaseListSort,
): CaseListCursor | undefined => {
  if (token === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const cursor = cursorSchema.safeParse(parsed);
  if (!cursor.success || cursor.data.s !== sort) {
    const message = 'not a cursor of this sort: send back the nextCursor of the previous page';
    throw validationError(`invalid querystring: cursor`, [{ path: 'querystring.cursor', message }]);
  }
  return { key: cursor.data.k, caseId: cursor.data.c };
};
