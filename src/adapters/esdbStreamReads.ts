import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  type EventStoreDBClient,
  type ReadRevision,
} from '@eventstore/db-client';
import {
  GENESIS_HASH,
  type ExpectedRevision,
  type RecordedEvent,
} from '../application/eventStore.js';
import { EventStoreRefusal, EventStoreRefusedError } from '../application/eventStoreFaults.js';
import { drain } from './esdbDrain.js';
import { toEventStoreError } from './esdbErrors.js';
import { isEsdbStreamNotFound, toRecordedEvent } from './esdbMapping.js';

/** Events past the caller's expectation the append's first read takes before it gives up. */
const TAIL_WINDOW = 64;

/** What the adapter needs to know about a stream before appending. */
export interface StreamState {
  readonly lastRevision: number;
  readonly lastHash: string;
  readonly lastPosition: bigint | undefined;
  /** The last event recorded with the command id, if any: the earlier append's result. */
  readonly duplicateAt: { readonly revision: number; readonly position: bigint } | undefined;
}

export interface StreamReadOptions {
  readonly backwards: boolean;
  readonly from: ReadRevision;
  readonly maxCount?: number | undefined;
}

/**
 * The adapter's reads of single streams, always from the leader (`requiresLeader`): a follower
 * may lag, and what these reads return decides appends (a stale read is a spurious conflict).
 */
export class EsdbStreamReads {
  readonly #client: Pick<EventStoreDBClient, 'readStream'>;

  constructor(client: Pick<EventStoreDBClient, 'readStream'>) {
    this.#client = client;
  }

  /** The stream's events; none if it does not exist. */
  async *events(streamId: string, options: StreamReadOptions): AsyncGenerator<RecordedEvent> {
    for await (const event of this.#raw(streamId, options)) yield toRecordedEvent(event);
  }

  /**
   * The stream's last revision and hash, and where the command was recorded if it was.
   *
   * For an exact or no-stream expectation `base`, an earlier append of the same command can only
   * sit right after `base` (it was accepted there), so one forwards read from `base` tells all:
   * the event at `base` (the hash to chain to, when the stream has not moved: the common case),
   * then the events that moved it since, the command's first among them if it was recorded.
   * The cost is bounded by how far the stream moved past the caller's expectation (at most
   * `TAIL_WINDOW` events, then one more read of the stream's last event), not by its length.
   * `any` and `exists` have no such place: the stream is scanned backwards to the command id.
   */
  async stateForAppend(
    streamId: string,
    commandId: string | undefined,
    expected: ExpectedRevision,
  ): Promise<StreamState> {
    const base = expected === 'no-stream' ? -1 : expected;
    const positional = typeof base === 'number' && Number.isInteger(base) && base >= -1;
    const { last, duplicateAt } =
      commandId === undefined
        ? { last: await this.#last(streamId), duplicateAt: undefined }
        : positional
          ? await this.#fromBase(streamId, base, commandId)
          : await this.#scan(streamId, commandId);
    if (last === undefined) await this.#refuseDeleted(streamId);
    return {
      lastRevision: last?.revision ?? -1,
      lastHash: last?.metadata.hash ?? GENESIS_HASH,
      lastPosition: last?.position,
      duplicateAt,
    };
  }

  async #last(streamId: string): Promise<RecordedEvent | undefined> {
    let last: RecordedEvent | undefined;
    const tail = this.events(streamId, { backwards: true, from: END, maxCount: 1 });
    for await (const event of tail) last = event;
    return last;
  }

  async #fromBase(streamId: string, base: number, commandId: string) {
    let last: RecordedEvent | undefined;
    let duplicateAt: StreamState['duplicateAt'];
    let beyond = 0;
    let complete = true;
    const from = base < 0 ? START : BigInt(base);
    for await (const event of this.events(streamId, { backwards: false, from })) {
      if (event.revision > base) {
        const ours = event.metadata.commandId === commandId && beyond === event.revision - base - 1;
        if (ours) duplicateAt = { revision: event.revision, position: event.position };
        else if (duplicateAt !== undefined) break; // the earlier append ends here
        if (++beyond > TAIL_WINDOW && duplicateAt === undefined) {
          complete = false; // far behind: the conflict needs only the stream's last revision
          break;
        }
      }
      last = event;
    }
    if (duplicateAt !== undefined) return { last, duplicateAt };
    // Nothing at `base` or beyond (the stream is behind the expectation), or read only in part.
    if ((last === undefined && base >= 0) || !complete) last = await this.#last(streamId);
    return { last, duplicateAt };
  }

  async #scan(streamId: string, commandId: string) {
    let last: RecordedEvent | undefined;
    for await (const event of this.events(streamId, { backwards: true, from: END })) {
      last ??= event;
      // Backwards, the first match is the last event the earlier command appended.
      if (event.metadata.commandId === commandId) {
        return { last, duplicateAt: { revision: event.revision, position: event.position } };
      }
    }
    return { last, duplicateAt: undefined };
  }

  /**
   * A stream with no readable events may have been deleted (soft delete: `$tb` = long.MaxValue)
   * or truncated to nothing: ESDB would take the append but continue the old revision numbers,
   * breaking the hash chain that starts from revision 0. Refuse instead (docs/eventstoredb.md).
   */
  async #refuseDeleted(streamId: string): Promise<void> {
    const options = { backwards: true, from: END, maxCount: 1 } as const;
    for await (const event of this.#raw(`$$${streamId}`, options)) {
      const metadata = event.data as { $tb?: unknown } | null;
      if (metadata?.$tb !== undefined) {
        throw new EventStoreRefusedError(
          EventStoreRefusal.streamDeleted,
          `stream ${streamId} was deleted or truncated in EventStoreDB ($tb in its metadata): ` +
            'Docket streams must never be deleted or truncated',
        );
      }
    }
  }

  async *#raw(streamId: string, { backwards, from, maxCount }: StreamReadOptions) {
    const read = this.#client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: from,
      resolveLinkTos: false,
      requiresLeader: true,
      ...(maxCount === undefined ? {} : { maxCount }),
    });
    try {
      for await (const resolved of drain(read)) {
        if (resolved.event !== undefined) yield resolved.event;
      }
    } catch (error) {
      if (!isEsdbStreamNotFound(error)) throw toEventStoreError(error, streamId);
    }
  }
}
