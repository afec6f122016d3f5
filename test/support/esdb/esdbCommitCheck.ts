import { DELETED_STREAM, ExpectedVersion, type LogRecord } from './esdbRecords.js';

/** What the commit check reads: the server's index and its cache of recently committed event ids. */
export interface CommitIndex {
  /** `DELETED_STREAM` if tombstoned, -1 if the stream never had an event. */
  lastEventNumber(streamId: string): bigint;
  isSoftDeleted(streamId: string): boolean;
  hasMetadata(streamId: string): boolean;
  eventAt(streamId: string, revision: bigint): LogRecord | undefined;
  /** The bounded id cache (`_committedEvents`): undefined once an id has been evicted. */
  recentlyCommitted(eventId: string): LogRecord | undefined;
}

export type CommitDecision =
  | { readonly kind: 'ok'; readonly current: bigint; readonly softDeleted: boolean }
  | { readonly kind: 'idempotent'; readonly last: LogRecord }
  | { readonly kind: 'wrong-expected-version'; readonly current: bigint }
  | { readonly kind: 'deleted' };

/**
 * EventStoreDB's commit check, `IndexWriter.CheckCommit` at v24.10.0 (lines 177–283), decision
 * for decision: a tombstoned stream refuses; `any`/`exists` are idempotent through the id cache
 * when *every* proposed id is cached for this stream; an exact or no-stream expectation below
 * the stream's version is idempotent when the proposed ids sit at exactly the following
 * revisions; a first mismatch is a wrong expected version (or an append, for no-stream on a
 * soft-deleted stream), a later one is "corrupted idempotency", also answered as a wrong
 * expected version (StorageWriterService.cs:676–680).
 */
export const checkCommit = (
  index: CommitIndex,
  streamId: string,
  expected: bigint,
  eventIds: readonly string[],
): CommitDecision => {
  const current = index.lastEventNumber(streamId);
  if (current === DELETED_STREAM) return { kind: 'deleted' };
  const softDeleted = index.isSoftDeleted(streamId);
  if (expected === ExpectedVersion.streamExists) {
    if (softDeleted) return { kind: 'deleted' };
    if (current < 0n && !index.hasMetadata(streamId)) {
      return { kind: 'wrong-expected-version', current };
    }
  }
  if (expected === ExpectedVersion.any || expected === ExpectedVersion.streamExists) {
    let last: LogRecord | undefined;
    for (const [i, id] of eventIds.entries()) {
      const cached = index.recentlyCommitted(id);
      if (cached === undefined || cached.streamId !== streamId) {
        return i === 0
          ? { kind: 'ok', current, softDeleted }
          : { kind: 'wrong-expected-version', current };
      }
      last = cached;
    }
    return last === undefined ? { kind: 'ok', current, softDeleted } : { kind: 'idempotent', last };
  }
  if (expected < current) {
    let revision = expected;
    let last: LogRecord | undefined;
    for (const id of eventIds) {
      revision += 1n;
      const there = index.eventAt(streamId, revision);
      if (there?.id === id) {
        last = there;
        continue;
      }
      if (revision !== expected + 1n) return { kind: 'wrong-expected-version', current };
      if (expected === ExpectedVersion.noStream && softDeleted) {
        return { kind: 'ok', current, softDeleted };
      }
      return { kind: 'wrong-expected-version', current };
    }
    return last === undefined
      ? { kind: 'wrong-expected-version', current }
      : { kind: 'idempotent', last };
  }
  if (expected > current) return { kind: 'wrong-expected-version', current };
  return { kind: 'ok', current, softDeleted };
};
