import { randomUUID } from 'node:crypto';
import { checkCommit, type CommitIndex } from './esdbCommitCheck.js';
import {
  DELETED_STREAM,
  isSystemStream,
  metastreamOf,
  recordSize,
  systemEvent,
  type CommitOutcome,
  type LogRecord,
  type ProposedEvent,
} from './esdbRecords.js';

export interface EsdbLogOptions {
  /** A `$statsCollected` system event after every this many user commits (0: never). Default 5. */
  readonly statsEvery?: number;
  /** Entries of the recently-committed id cache (`any`/`exists` idempotency). Default 10,000. */
  readonly idCacheSize?: number;
}

interface StreamEntry {
  readonly events: LogRecord[];
  tombstoned: boolean;
}

const UNIX_TICKS_PER_MS = 10_000n;

/**
 * The test server's transaction log: one ordered list of records (`$all`, system events
 * included) at byte-offset positions, the streams indexed over it, stream metadata read from
 * `$$<stream>`, the commit check of the real server, and listeners for live subscriptions.
 * It survives a server "restart" (the log is durable; connections are not).
 */
export class EsdbLog implements CommitIndex {
  readonly #all: LogRecord[] = [];
  readonly #byPosition = new Map<bigint, number>();
  readonly #streams = new Map<string, StreamEntry>();
  readonly #ids = new Map<string, LogRecord>();
  readonly #listeners = new Set<(records: readonly LogRecord[]) => void>();
  readonly #statsEvery: number;
  readonly #idCacheSize: number;
  #next = 4_096n;
  #userCommits = 0;

  constructor(options: EsdbLogOptions = {}) {
    this.#statsEvery = options.statsEvery ?? 5;
    this.#idCacheSize = options.idCacheSize ?? 10_000;
    // What a fresh node writes before any client: scavenge settings and the default users.
    this.#write('$$$scavenges', [systemEvent(randomUUID(), '$metadata', { $maxAge: 2592000 })]);
    this.#write('$user-admin', [systemEvent(randomUUID(), '$UserCreated', { loginName: 'admin' })]);
    this.#write('$users', [systemEvent(randomUUID(), '$User', 'admin')]);
  }

  /** Every record in position order (`$all`). */
  get records(): readonly LogRecord[] {
    return this.#all;
  }

  /** Index in `records` of the record starting at `position`, if one does. */
  indexOf(position: bigint): number | undefined {
    return this.#byPosition.get(position);
  }

  /** The position the next record will take (the end of the log). */
  get end(): bigint {
    return this.#next;
  }

  lastEventNumber(streamId: string): bigint {
    const entry = this.#streams.get(streamId);
    if (entry === undefined) return -1n;
    if (entry.tombstoned) return DELETED_STREAM;
    return entry.events.at(-1)?.revision ?? -1n;
  }

  eventAt(streamId: string, revision: bigint): LogRecord | undefined {
    const events = this.#streams.get(streamId)?.events;
    const first = events?.[0]?.revision;
    return first === undefined ? undefined : events?.[Number(revision - first)];
  }

  recentlyCommitted(eventId: string): LogRecord | undefined {
    return this.#ids.get(eventId);
  }

  hasMetadata(streamId: string): boolean {
    return this.metadataOf(streamId) !== undefined;
  }

  /** The stream's metadata: the data of the last `$metadata` event of `$$<stream>`. */
  metadataOf(streamId: string): Record<string, unknown> | undefined {
    const last = this.#streams.get(metastreamOf(streamId))?.events.at(-1);
    if (last === undefined) return undefined;
    return JSON.parse(Buffer.from(last.data).toString('utf8')) as Record<string, unknown>;
  }

  /** Soft-deleted: `$tb` is `long.MaxValue` (a JSON number at or above 2^53 - 1). */
  isSoftDeleted(streamId: string): boolean {
    const tb = this.metadataOf(streamId)?.$tb;
    return typeof tb === 'number' && tb >= Number.MAX_SAFE_INTEGER;
  }

  /** The stream's readable events: none when soft-deleted, from `$tb` and the last `$maxCount`. */
  visibleEvents(streamId: string): readonly LogRecord[] | 'deleted' | 'not-found' {
    const entry = this.#streams.get(streamId);
    if (entry?.tombstoned === true) return 'deleted';
    if (entry === undefined || entry.events.length === 0 || this.isSoftDeleted(streamId)) {
      return 'not-found';
    }
    const metadata = this.metadataOf(streamId) ?? {};
    const last = entry.events.at(-1)!.revision;
    let from = 0n;
    if (typeof metadata.$tb === 'number') from = BigInt(metadata.$tb);
    if (typeof metadata.$maxCount === 'number') {
      const byCount = last - BigInt(metadata.$maxCount) + 1n;
      if (byCount > from) from = byCount;
    }
    return entry.events.filter((e) => e.revision >= from);
  }

  /** Appends under the server's commit check; a soft-deleted stream is undeleted as the server does. */
  append(streamId: string, expected: bigint, events: readonly ProposedEvent[]): CommitOutcome {
    const decision = checkCommit(
      this,
      streamId,
      expected,
      events.map((e) => e.id),
    );
    switch (decision.kind) {
      case 'deleted':
        return decision;
      case 'wrong-expected-version':
        return decision;
      case 'idempotent':
        return {
          kind: 'idempotent',
          lastRevision: decision.last.revision,
          position: decision.last.position,
        };
      case 'ok':
        break;
    }
    if (events.length === 0) {
      return { kind: 'committed', lastRevision: decision.current, position: -1n };
    }
    const written = this.#write(streamId, events);
    if (decision.softDeleted) {
      // StorageWriterService.SoftUndeleteStream: truncate before the first new event.
      const metadata = { ...this.metadataOf(streamId), $tb: Number(decision.current + 1n) };
      this.#write(metastreamOf(streamId), [systemEvent(randomUUID(), '$metadata', metadata)]);
    }
    if (!isSystemStream(streamId) && this.#statsEvery > 0) {
      this.#userCommits++;
      if (this.#userCommits % this.#statsEvery === 0) {
        this.#write('$stats-127.0.0.1:2113', [
          systemEvent(randomUUID(), '$statsCollected', { commits: this.#userCommits }),
        ]);
      }
    }
    const last = written.at(-1)!;
    return { kind: 'committed', lastRevision: last.revision, position: last.position };
  }

  /** Soft delete: `$tb` = long.MaxValue in the stream's metadata (as `DeleteStream` hard=false). */
  softDelete(streamId: string): void {
    const metadata = { ...this.metadataOf(streamId), $tb: Number(DELETED_STREAM) };
    this.#write(metastreamOf(streamId), [systemEvent(randomUUID(), '$metadata', metadata)]);
  }

  /** Tombstone: a `$streamDeleted` record; the stream can never be read or written again. */
  tombstone(streamId: string): void {
    this.#write(streamId, [systemEvent(randomUUID(), '$streamDeleted', {})], DELETED_STREAM);
    this.#streams.get(streamId)!.tombstoned = true;
  }

  /** Calls `listener` with the records of every commit from now on, until the returned stop. */
  onCommit(listener: (records: readonly LogRecord[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #write(streamId: string, events: readonly ProposedEvent[], revision?: bigint): LogRecord[] {
    let entry = this.#streams.get(streamId);
    if (entry === undefined) {
      entry = { events: [], tombstoned: false };
      this.#streams.set(streamId, entry);
    }
    let next = revision ?? (entry.events.at(-1)?.revision ?? -1n) + 1n;
    const created = BigInt(Date.now()) * UNIX_TICKS_PER_MS;
    const written = events.map((event) => {
      const record: LogRecord = {
        ...event,
        streamId,
        revision: next++,
        position: this.#next,
        created,
      };
      this.#next += recordSize(streamId, event);
      this.#byPosition.set(record.position, this.#all.length);
      this.#all.push(record);
      if (revision === undefined) entry.events.push(record);
      this.#ids.delete(record.id);
      this.#ids.set(record.id, record);
      if (this.#ids.size > this.#idCacheSize) this.#ids.delete(this.#ids.keys().next().value!);
      return record;
    });
    for (const listener of this.#listeners) listener(written);
    return written;
  }
}
