import type {
  sendUnaryData,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
} from '@grpc/grpc-js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { commit, type CommitResult } from './esdbCommit.js';
import { ExpectedVersion, type ProposedEvent } from './esdbRecords.js';
import { faultError, type EsdbServerContext } from './esdbServerContext.js';
import { BatchStatus, RpcErrors, streamIdentifier, streamNameOf, uuidString } from './esdbWire.js';

type Proposed = streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage;

const proposed = (message: Proposed): ProposedEvent => ({
  id: uuidString(message.getId()),
  type: message.getMetadataMap().get('type') ?? '',
  contentType: message.getMetadataMap().get('content-type') ?? 'application/octet-stream',
  data: message.getData_asU8(),
  metadata: message.getCustomMetadata_asU8(),
});

interface ExpectedOneof {
  hasNoStream(): boolean;
  hasAny(): boolean;
  hasStreamExists(): boolean;
}

const expectedOf = (options: ExpectedOneof, revision: string | undefined): bigint => {
  if (options.hasNoStream()) return ExpectedVersion.noStream;
  if (options.hasAny()) return ExpectedVersion.any;
  if (options.hasStreamExists()) return ExpectedVersion.streamExists;
  return BigInt(revision ?? '0');
};

/** `Streams.Append` (a client stream: options, then the proposed events), as Streams.Append.cs. */
export const append =
  (context: EsdbServerContext) =>
  (
    call: ServerReadableStream<streamsPb.AppendReq, streamsPb.AppendResp>,
    callback: sendUnaryData<streamsPb.AppendResp>,
  ): void => {
    let options: streamsPb.AppendReq.Options | undefined;
    const events: ProposedEvent[] = [];
    call.on('data', (request: streamsPb.AppendReq) => {
      if (request.hasOptions()) options = request.getOptions();
      else if (request.hasProposedMessage()) events.push(proposed(request.getProposedMessage()!));
    });
    call.on('end', () => {
      const streamId = streamNameOf(options?.getStreamIdentifier());
      const expected = expectedOf(options!, options?.getRevision());
      const fault = context.faults.take('append');
      const failed = faultError(context, fault);
      if (failed !== undefined) return callback(failed);
      void commit(context, streamId, expected, events, fault).then((result) => {
        if (result.kind === 'dropped') return;
        if (result.kind === 'too-large')
          return callback(RpcErrors.maxAppendSize(context.maxAppendSize));
        if (result.kind === 'timed-out') return callback(RpcErrors.timeout());
        const { outcome } = result;
        if (outcome.kind === 'deleted') return callback(RpcErrors.streamDeleted(streamId));
        const response = new streamsPb.AppendResp();
        if (outcome.kind === 'wrong-expected-version') {
          const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
          if (outcome.current < 0n) wrong.setCurrentNoStream(new sharedPb.Empty());
          else wrong.setCurrentRevision(outcome.current.toString());
          if (expected === ExpectedVersion.any) wrong.setExpectedAny(new sharedPb.Empty());
          else if (expected === ExpectedVersion.streamExists)
            wrong.setExpectedStreamExists(new sharedPb.Empty());
          else if (expected === ExpectedVersion.noStream)
            wrong.setExpectedNoStream(new sharedPb.Empty());
          else wrong.setExpectedRevision(expected.toString());
          response.setWrongExpectedVersion(wrong);
          return callback(null, response);
        }
        const success = new streamsPb.AppendResp.Success();
        if (outcome.lastRevision < 0n) success.setNoStream(new sharedPb.Empty());
        else success.setCurrentRevision(outcome.lastRevision.toString());
        if (outcome.position < 0n) success.setNoPosition(new sharedPb.Empty());
        else {
          const position = new streamsPb.AppendResp.Position();
          position.setCommitPosition(outcome.position.toString());
          position.setPreparePosition(outcome.position.toString());
          success.setPosition(position);
        }
        response.setSuccess(success);
        return callback(null, response);
      });
    });
  };

const batchResponse = (
  correlationId: sharedPb.UUID | undefined,
  streamId: string,
  expected: bigint,
  result: Exclude<CommitResult, { kind: 'dropped' }>,
  maxAppendSize: number,
): streamsPb.BatchAppendResp => {
  const response = new streamsPb.BatchAppendResp();
  response.setCorrelationId(correlationId);
  response.setStreamIdentifier(streamIdentifier(streamId));
  if (expected === ExpectedVersion.any) response.setAny(new sharedPb.Empty());
  else if (expected === ExpectedVersion.noStream) response.setNoStream(new sharedPb.Empty());
  else if (expected === ExpectedVersion.streamExists)
    response.setStreamExists(new sharedPb.Empty());
  else response.setStreamPosition(expected.toString());
  if (result.kind === 'too-large') response.setError(BatchStatus.maxAppendSize(maxAppendSize));
  else if (result.kind === 'timed-out') response.setError(BatchStatus.timeout());
  else if (result.outcome.kind === 'deleted')
    response.setError(BatchStatus.streamDeleted(streamId));
  else if (result.outcome.kind === 'wrong-expected-version')
    response.setError(BatchStatus.wrongExpectedVersion(result.outcome.current, expected));
  else {
    const success = new streamsPb.BatchAppendResp.Success();
    success.setCurrentRevision(result.outcome.lastRevision.toString());
    const position = new sharedPb.AllStreamPosition();
    position.setCommitPosition(result.outcome.position.toString());
    position.setPreparePosition(result.outcome.position.toString());
    success.setPosition(position);
    response.setSuccess(success);
  }
  return response;
};

/**
 * `Streams.BatchAppend` (one bidirectional call per client connection carrying many appends,
 * each a correlation id, options, event chunks and a final flag), as Streams.BatchAppend.cs:
 * each append is answered by its own response; faults that end calls end this one, failing
 * every append still in flight on it.
 */
export const batchAppend =
  (context: EsdbServerContext) =>
  (call: ServerDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>): void => {
    const pending = new Map<
      string,
      { options?: streamsPb.BatchAppendReq.Options; events: ProposedEvent[] }
    >();
    call.on('data', (request: streamsPb.BatchAppendReq) => {
      const key = uuidString(request.getCorrelationId());
      const entry = pending.get(key) ?? { events: [] };
      pending.set(key, entry);
      if (request.hasOptions()) entry.options = request.getOptions();
      entry.events.push(...request.getProposedMessagesList().map(proposed));
      if (!request.getIsFinal()) return;
      pending.delete(key);
      const options = entry.options!;
      const streamId = streamNameOf(options.getStreamIdentifier());
      const expected = expectedOf(options, options.getStreamPosition());
      const fault = context.faults.take('append');
      if (fault?.kind === 'not-leader' || fault?.kind === 'unavailable') {
        call.emit('error', faultError(context, fault));
        return;
      }
      const answer = (result: CommitResult) => {
        if (result.kind === 'dropped') return;
        call.write(
          batchResponse(
            request.getCorrelationId(),
            streamId,
            expected,
            result,
            context.maxAppendSize,
          ),
        );
      };
      if (fault?.kind === 'access-denied' || fault?.kind === 'deadline-exceeded') {
        const response = batchResponse(
          request.getCorrelationId(),
          streamId,
          expected,
          { kind: 'timed-out' },
          0,
        );
        if (fault.kind === 'access-denied') response.setError(BatchStatus.accessDenied());
        call.write(response);
        return;
      }
      const deadline = options.hasDeadline() ? options.getDeadline()!.toDate() : undefined;
      void commit(context, streamId, expected, entry.events, fault, deadline).then(answer);
    });
    call.on('end', () => call.end());
  };

/** `Streams.Delete` (soft delete) and `Streams.Tombstone`, for tests that set up deleted streams. */
export const softDelete =
  (context: EsdbServerContext) =>
  (
    call: ServerUnaryCall<streamsPb.DeleteReq, streamsPb.DeleteResp>,
    callback: sendUnaryData<streamsPb.DeleteResp>,
  ): void => {
    context.log.softDelete(streamNameOf(call.request.getOptions()?.getStreamIdentifier()));
    const response = new streamsPb.DeleteResp();
    response.setNoPosition(new sharedPb.Empty());
    callback(null, response);
  };

export const tombstone =
  (context: EsdbServerContext) =>
  (
    call: ServerUnaryCall<streamsPb.TombstoneReq, streamsPb.TombstoneResp>,
    callback: sendUnaryData<streamsPb.TombstoneResp>,
  ): void => {
    context.log.tombstone(streamNameOf(call.request.getOptions()?.getStreamIdentifier()));
    const response = new streamsPb.TombstoneResp();
    response.setNoPosition(new sharedPb.Empty());
    callback(null, response);
  };
