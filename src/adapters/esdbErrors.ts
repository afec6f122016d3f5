import { ErrorType } from '@eventstore/db-client';
import {
  EventStoreRefusal,
  EventStoreRefusedError,
  EventStoreUnavailableError,
} from '../application/eventStoreFaults.js';

/** gRPC's INVALID_ARGUMENT: how the server refuses a `$all` position that is not a record's. */
const INVALID_ARGUMENT = 3;

const typeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;

/** Answers after which the client reconnects (or the server may answer next time). */
const unavailable: ReadonlySet<unknown> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
]);

/**
 * The one translation of the client's infrastructure errors into the port's faults (conflicts
 * are translated in esdbMapping.ts): unreachable, too slow, not the leader or cancelled by the
 * server → EventStoreUnavailableError; a deleted stream, a refused user or an append too large →
 * EventStoreRefusedError. Anything else is returned as it is. The client's error is the cause.
 */
export const toEventStoreError = (error: unknown, streamId?: string): unknown => {
  const type = typeOf(error);
  const where = streamId === undefined ? 'EventStoreDB' : `EventStoreDB (stream ${streamId})`;
  const message = error instanceof Error ? error.message : String(error);
  if (unavailable.has(type)) {
    return new EventStoreUnavailableError(`${where} is unavailable: ${message}`, { cause: error });
  }
  switch (type) {
    case ErrorType.STREAM_DELETED:
      return new EventStoreRefusedError(
        EventStoreRefusal.streamDeleted,
        `${where}: the stream is deleted`,
        { cause: error },
      );
    case ErrorType.ACCESS_DENIED:
      return new EventStoreRefusedError(EventStoreRefusal.accessDenied, `${where}: access denied`, {
        cause: error,
      });
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
      return new EventStoreRefusedError(
        EventStoreRefusal.appendTooLarge,
        `${where}: the append is larger than the server's maximum append size`,
        { cause: error },
      );
    default:
      return error;
  }
};

/** The server's refusal of a `$all` position that is not a record's (the client: UnknownError). */
export const isInvalidPosition = (error: unknown): boolean =>
  typeOf(error) === ErrorType.UNKNOWN && (error as { code?: unknown }).code === INVALID_ARGUMENT;
