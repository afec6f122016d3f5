import { randomUUID } from 'node:crypto';
import type { ServerWritableStream } from '@grpc/grpc-js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { EsdbLog } from './esdbLog.js';
import type { LogRecord } from './esdbRecords.js';
import { startIndex } from './esdbReads.js';
import { readEvent, RpcErrors } from './esdbWire.js';

type ReadCall = ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>;

/** Records a filtered subscription considers per checkpoint window (`Enumerator.ReadBatchSize`). */
const READ_BATCH_SIZE = 32;

const matcher = (options: streamsPb.ReadReq.Options): ((record: LogRecord) => boolean) => {
  if (!options.hasFilter()) return () => true;
  const filter = options.getFilter()!;
  const onType = filter.hasEventType();
  const expression = onType ? filter.getEventType()! : filter.getStreamIdentifier()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() === '' ? undefined : new RegExp(expression.getRegex());
  return (record) => {
    const subject = onType ? record.type : record.streamId;
    return regex !== undefined
      ? regex.test(subject)
      : prefixes.some((prefix) => subject.startsWith(prefix));
  };
};

const message = (build: (response: streamsPb.ReadResp) => void): streamsPb.ReadResp => {
  const response = new streamsPb.ReadResp();
  build(response);
  return response;
};

const checkpoint = (position: bigint) =>
  message((r) => {
    const at = new streamsPb.ReadResp.Checkpoint();
    at.setCommitPosition(position.toString());
    at.setPreparePosition(position.toString());
    r.setCheckpoint(at);
  });

/**
 * A catch-up subscription to `$all` as `Enumerator.AllSubscriptionFiltered` (v24.10.0) serves
 * it: a confirmation; the history strictly after the start position; with a filter, a
 * checkpoint every `checkpointIntervalMultiplier × window` records considered and one on
 * catching up; `CaughtUp`; then live records, checkpoints continuing. Catching up and going
 * live happen in one turn of the event loop, so no commit falls between them.
 */
export const subscribeToAll = (
  log: EsdbLog,
  options: streamsPb.ReadReq.Options,
  call: ReadCall,
): void => {
  const all = options.getAll()!;
  const start = startIndex(log, all);
  if (start === 'invalid') {
    call.emit('error', RpcErrors.invalidPosition());
    return;
  }
  const matches = matcher(options);
  const filter = options.hasFilter() ? options.getFilter() : undefined;
  const window = filter?.hasMax() === true ? filter.getMax() : READ_BATCH_SIZE;
  const interval = filter === undefined ? 0 : window * filter.getCheckpointintervalmultiplier();
  let considered = 0;
  let last: bigint | undefined;

  const consider = (record: LogRecord) => {
    considered++;
    last = record.position;
    if (matches(record)) call.write(readEvent(record));
    if (interval > 0 && considered % interval === 0) call.write(checkpoint(record.position));
  };

  call.write(
    message((r) => {
      const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
      confirmation.setSubscriptionId(randomUUID());
      r.setConfirmation(confirmation);
    }),
  );
  // Subscriptions start *after* the given position: skip the record at it.
  const at = all.hasPosition() ? BigInt(all.getPosition()!.getCommitPosition()) : undefined;
  const first = at !== undefined && log.indexOf(at) !== undefined ? start + 1 : start;
  for (let i = first; i < log.records.length; i++) consider(log.records[i]!);
  if (interval > 0 && last !== undefined) call.write(checkpoint(last));
  call.write(message((r) => r.setCaughtUp(new streamsPb.ReadResp.CaughtUp())));
  const stop = log.onCommit((records) => {
    for (const record of records) consider(record);
  });
  const end = () => stop();
  call.on('cancelled', end);
  call.on('close', end);
  call.on('error', end);
};
