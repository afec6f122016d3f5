import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  type AllStreamRecordedEvent,
  type EventStoreDBClient,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import type { RecordedEvent } from '../application/eventStore.js';
import { drain } from './esdbDrain.js';
import { isInvalidPosition, toEventStoreError } from './esdbErrors.js';
import { isBeyond, isDocketEvent, toEsdbPosition, toRecordedEvent } from './esdbMapping.js';

/**
 * Reads EventStoreDB's `$all` by the port's positions (a record's commit position): the Docket
 * events beyond a position, forwards or backwards, in pages as the consumer pulls, and where to
 * start a read or a subscription for "beyond a position".
 */
export class EsdbAllReader {
  readonly #client: Pick<EventStoreDBClient, 'readAll'>;
  readonly #prefixes: readonly string[] | undefined;
  readonly #pageSize: number;

  constructor(
    client: Pick<EventStoreDBClient, 'readAll'>,
    prefixes: readonly string[] | undefined,
    pageSize: number,
  ) {
    this.#client = client;
    this.#prefixes = prefixes;
    this.#pageSize = pageSize;
  }

  /** Docket events of `$all` beyond `after`, in order, read in pages as the consumer pulls. */
  async *events(
    direction: 'forwards' | 'backwards',
    after: bigint | undefined,
  ): AsyncGenerator<RecordedEvent> {
    for await (const event of this.#raw(direction, after)) {
      if (isDocketEvent(event, this.#prefixes)) yield toRecordedEvent(event);
    }
  }

  /**
   * Every record of `$all` strictly beyond `after`. ESDB reads start at a position (inclusive)
   * and take a count of *raw* records, system events included: each page starts at the last
   * record of the previous one and the bound drops what was already seen.
   */
  async *#raw(
    direction: 'forwards' | 'backwards',
    after: bigint | undefined,
  ): AsyncGenerator<AllStreamRecordedEvent> {
    let bound = after;
    let from: ReadPosition;
    if (after === undefined) from = direction === 'forwards' ? START : END;
    else if (direction === 'backwards' && after <= 0n) return;
    else if (direction === 'forwards' && after < 0n) from = START;
    else from = await this.startingPoint(after, direction);
    for (;;) {
      let records = 0;
      let last: Position | undefined;
      const read = this.#client.readAll({
        fromPosition: from,
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        maxCount: this.#pageSize,
        resolveLinkTos: false,
      });
      for await (const resolved of this.#mapped(drain(read))) {
        records++;
        const event = resolved.event;
        if (event === undefined) continue;
        last = event.position;
        if (isBeyond(event.position.commit, bound, direction)) yield event;
      }
      if (records < this.#pageSize || last === undefined) return;
      from = last;
      bound = bound === undefined || isBeyond(last.commit, bound, direction) ? last.commit : bound;
    }
  }

  /**
   * Where to start an ESDB read or subscription for "beyond `after`". ESDB accepts only positions
   * of records: a position the store handed out is one (checked with a one-record probe), but an
   * arbitrary number (a checkpoint minus one, a position from another store) makes the server
   * fail ("invalid position") or misread. Then the adapter scans `$all` backwards from the end to
   * the nearest record at or before `after` (forwards) or after it (backwards): the cost is the
   * records written since `after`.
   */
  async startingPoint(after: bigint, direction: 'forwards' | 'backwards'): Promise<ReadPosition> {
    if (after <= 0n) return START;
    if (await this.#isRecordAt(after)) return toEsdbPosition(after);
    let newer: Position | undefined;
    for await (const event of this.#raw('backwards', undefined)) {
      if (event.position.commit <= after) {
        return direction === 'forwards' ? event.position : (newer ?? END);
      }
      newer = event.position;
    }
    return direction === 'forwards' ? START : (newer ?? END);
  }

  /** Whether a record starts at `position`: the server refuses positions that are not a record's. */
  async #isRecordAt(position: bigint): Promise<boolean> {
    const read = this.#client.readAll({
      fromPosition: toEsdbPosition(position),
      direction: FORWARDS,
      maxCount: 1,
      resolveLinkTos: false,
    });
    try {
      for await (const resolved of drain(read)) return resolved.event?.position.commit === position;
      return false;
    } catch (error) {
      if (isInvalidPosition(error)) return false;
      throw toEventStoreError(error);
    }
  }

  async *#mapped<E>(read: AsyncGenerator<E>): AsyncGenerator<E> {
    try {
      yield* read;
    } catch (error) {
      throw toEventStoreError(error);
    }
  }
}
