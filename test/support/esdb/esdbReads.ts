import type { ServerWritableStream } from '@grpc/grpc-js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { LogRecord } from './esdbRecords.js';
import type { EsdbLog } from './esdbLog.js';
import { readEvent, RpcErrors, streamNameOf, streamNotFound } from './esdbWire.js';

type ReadCall = ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>;
type Options = streamsPb.ReadReq.Options;

const BACKWARDS = streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;

const countOf = (options: Options): number =>
  options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;

/**
 * Writes the records as the client takes them: when gRPC's buffer is full the server waits for
 * it to drain (HTTP/2 flow control), so a reader that stops early leaves the call open, as a
 * real server's read of a large page does; a cancelled call stops the writing.
 */
const send = async (
  call: ReadCall,
  records: Iterable<LogRecord>,
  count: number,
  onRecord: () => void,
): Promise<void> => {
  let sent = 0;
  for (const record of records) {
    if (call.cancelled) return;
    if (sent++ >= count) break;
    onRecord();
    if (!call.write(readEvent(record))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          call.off('drain', done);
          call.off('cancelled', done);
          resolve();
        };
        call.on('drain', done);
        call.on('cancelled', done);
      });
    }
  }
  if (!call.cancelled) call.end();
};

/**
 * A stream read: not found (also when soft-deleted) is a `StreamNotFound` message and a normal
 * end, a tombstoned stream the `stream-deleted` error; then the visible events from the given
 * revision (inclusive) in either direction, at most `count`.
 */
export const readStream = (
  log: EsdbLog,
  options: Options,
  call: ReadCall,
  onRecord: () => void = () => undefined,
): void => {
  const stream = options.getStream()!;
  const streamId = streamNameOf(stream.getStreamIdentifier());
  const visible = log.visibleEvents(streamId);
  if (visible === 'deleted') {
    call.emit('error', RpcErrors.streamDeleted(streamId));
    return;
  }
  if (visible === 'not-found') {
    call.write(streamNotFound(streamId));
    call.end();
    return;
  }
  const backwards = options.getReadDirection() === BACKWARDS;
  const from = stream.hasRevision() ? BigInt(stream.getRevision()) : undefined;
  const records = backwards
    ? visible.filter((e) => from === undefined || e.revision <= from).reverse()
    : visible.filter((e) => from === undefined || e.revision >= from);
  void send(call, records, countOf(options), onRecord);
};

/**
 * Where a `$all` read or subscription starts, as an index into the log: the start, the end, or
 * the record at a position. A position that is not a record's start (nor the log's end) is
 * refused as the server refuses it (`InvalidPosition`).
 */
export const startIndex = (
  log: EsdbLog,
  all: streamsPb.ReadReq.Options.AllOptions,
): number | 'invalid' => {
  if (all.hasEnd()) return log.records.length;
  if (!all.hasPosition()) return 0;
  const position = all.getPosition()!;
  const commit = BigInt(position.getCommitPosition());
  if (commit !== BigInt(position.getPreparePosition())) return 'invalid';
  if (commit === 0n) return 0;
  if (commit === log.end) return log.records.length;
  return log.indexOf(commit) ?? 'invalid';
};

function* forwardsFrom(records: readonly LogRecord[], index: number): Generator<LogRecord> {
  for (let i = index; i < records.length; i++) yield records[i]!;
}

function* backwardsBefore(records: readonly LogRecord[], index: number): Generator<LogRecord> {
  for (let i = index - 1; i >= 0; i--) yield records[i]!;
}

/** A `$all` read: forwards includes the record at the start position, backwards excludes it. */
export const readAll = (
  log: EsdbLog,
  options: Options,
  call: ReadCall,
  onRecord: () => void = () => undefined,
): void => {
  const start = startIndex(log, options.getAll()!);
  if (start === 'invalid') {
    call.emit('error', RpcErrors.invalidPosition());
    return;
  }
  const backwards = options.getReadDirection() === BACKWARDS;
  const all = options.getAll()!;
  const records = backwards
    ? backwardsBefore(log.records, all.hasStart() ? 0 : start)
    : forwardsFrom(log.records, start);
  void send(call, records, countOf(options), onRecord);
};
