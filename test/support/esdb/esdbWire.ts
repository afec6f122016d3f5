import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';
import type { LogRecord } from './esdbRecords.js';

/**
 * The test server's side of the wire, in the client's own generated messages: records as read
 * responses, and errors as the real server raises them (`RpcExceptions.cs` for calls, the
 * `Google.Rpc.Status` helpers in `Status.cs` for batch appends, both at v24.10.0).
 */

export const streamNameOf = (identifier: sharedPb.StreamIdentifier | undefined): string =>
  Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');

export const streamIdentifier = (streamId: string): sharedPb.StreamIdentifier => {
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(streamId, 'utf8'));
  return identifier;
};

export const uuidString = (uuid: sharedPb.UUID | undefined): string => uuid?.getString() ?? '';

/** A record as a read or subscription response; `$all` reads also carry the commit position. */
export const readEvent = (record: LogRecord): streamsPb.ReadResp => {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  const id = new sharedPb.UUID();
  id.setString(record.id);
  recorded.setId(id);
  recorded.setStreamIdentifier(streamIdentifier(record.streamId));
  recorded.setStreamRevision(record.revision.toString());
  recorded.setPreparePosition(record.position.toString());
  recorded.setCommitPosition(record.position.toString());
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.contentType)
    .set('created', record.created.toString());
  recorded.setCustomMetadata(record.metadata);
  recorded.setData(record.data);
  const event = new streamsPb.ReadResp.ReadEvent();
  event.setEvent(recorded);
  event.setCommitPosition(record.position.toString());
  const response = new streamsPb.ReadResp();
  response.setEvent(event);
  return response;
};

export const streamNotFound = (streamId: string): streamsPb.ReadResp => {
  const notFound = new streamsPb.ReadResp.StreamNotFound();
  notFound.setStreamIdentifier(streamIdentifier(streamId));
  const response = new streamsPb.ReadResp();
  response.setStreamNotFound(notFound);
  return response;
};

const rpcError = (code: status, details: string, entries: Record<string, string> = {}) => {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
};

/** The gRPC errors of `RpcExceptions.cs` the test server raises, by name. */
export const RpcErrors = {
  streamDeleted: (streamId: string): ServiceError =>
    rpcError(status.FAILED_PRECONDITION, `Event stream '${streamId}' is deleted.`, {
      exception: 'stream-deleted',
      'stream-name': streamId,
    }),
  accessDenied: (): ServiceError =>
    rpcError(status.PERMISSION_DENIED, 'Access Denied', { exception: 'access-denied' }),
  maxAppendSize: (max: number): ServiceError =>
    rpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${max} Exceeded.`, {
      exception: 'maximum-append-size-exceeded',
      'maximum-append-size': String(max),
    }),
  notLeader: (host: string, port: number): ServiceError =>
    rpcError(status.NOT_FOUND, 'Leader info available', {
      exception: 'not-leader',
      'leader-endpoint-host': host,
      'leader-endpoint-port': String(port),
    }),
  /** A read or subscription from a position that is not a record's (`ReadResponseException.InvalidPosition`). */
  invalidPosition: (): ServiceError => rpcError(status.INVALID_ARGUMENT, 'Invalid position.'),
  timeout: (): ServiceError => rpcError(status.ABORTED, 'Operation timed out: Commit timed out.'),
  deadlineExceeded: (): ServiceError => rpcError(status.DEADLINE_EXCEEDED, 'Deadline Exceeded'),
  unavailable: (): ServiceError => rpcError(status.UNAVAILABLE, 'Server Is Not Ready'),
} as const;

const packed = (message: { serializeBinary(): Uint8Array }, typeName: string): anyPb.Any => {
  const any = new anyPb.Any();
  any.pack(message.serializeBinary(), typeName);
  return any;
};

const rpcStatus = (code: number, message: string, details: anyPb.Any): statusPb.Status => {
  const result = new statusPb.Status();
  result.setCode(code);
  result.setMessage(message);
  result.setDetails(details);
  return result;
};

/** google.rpc.Code values. */
const Code = { invalidArgument: 3, deadlineExceeded: 4, notFound: 5, alreadyExists: 6 } as const;

/** The batch-append statuses of `Status.cs`. */
export const BatchStatus = {
  wrongExpectedVersion: (current: bigint, expected: bigint): statusPb.Status => {
    const details = new sharedPb.WrongExpectedVersion();
    if (current < 0n) details.setCurrentNoStream(new sharedPb.Empty());
    else details.setCurrentStreamRevision(current.toString());
    if (expected === -2n) details.setExpectedAny(new sharedPb.Empty());
    else if (expected === -4n) details.setExpectedStreamExists(new sharedPb.Empty());
    else if (expected === -1n) details.setExpectedNoStream(new sharedPb.Empty());
    else details.setExpectedStreamPosition(expected.toString());
    return rpcStatus(
      Code.alreadyExists,
      'WrongExpectedVersion',
      packed(details, 'event_store.client.WrongExpectedVersion'),
    );
  },
  streamDeleted: (streamId: string): statusPb.Status => {
    const details = new sharedPb.StreamDeleted();
    details.setStreamIdentifier(streamIdentifier(streamId));
    return rpcStatus(
      Code.notFound,
      'StreamDeleted',
      packed(details, 'event_store.client.StreamDeleted'),
    );
  },
  timeout: (): statusPb.Status =>
    rpcStatus(
      Code.deadlineExceeded,
      'Timeout',
      packed(new sharedPb.Timeout(), 'event_store.client.Timeout'),
    ),
  maxAppendSize: (max: number): statusPb.Status => {
    const details = new sharedPb.MaximumAppendSizeExceeded();
    details.setMaxappendsize(max);
    return rpcStatus(
      Code.invalidArgument,
      'MaximumAppendSizeExceeded',
      packed(details, 'event_store.client.MaximumAppendSizeExceeded'),
    );
  },
  accessDenied: (): statusPb.Status =>
    rpcStatus(
      7,
      'AccessDenied',
      packed(new sharedPb.AccessDenied(), 'event_store.client.AccessDenied'),
    ),
} as const;
