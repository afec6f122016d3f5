import type { Api } from './api.js';
import type { CaseRead } from './caseTypes.js';

/** When a read arrived, by the page's monotonic clock: countdowns run from it. */
export interface TimedRead {
  readonly read: CaseRead;
  readonly receivedAt: number;
}

/**
 * `GET /cases/:id` answers, kept per case revision: a revision's deadlines and windows do not
 * change, so a queue's countdowns ask once per case and again only after it changes.
 */
const reads = new Map<string, Promise<TimedRead>>();
const LIMIT = 2_000;

export const caseReadAt = (api: Api, id: string, revision: number): Promise<TimedRead> => {
  const key = `${id}@${revision}`;
  let read = reads.get(key);
  if (read === undefined) {
    read = api
      .get<CaseRead>(`/cases/${encodeURIComponent(id)}`)
      .then((r) => ({ read: r, receivedAt: performance.now() }));
    read.catch(() => reads.delete(key));
    if (reads.size >= LIMIT) reads.clear();
    reads.set(key, read);
  }
  return read;
};
