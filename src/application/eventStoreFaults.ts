import { DocketFault, FaultCode, isFault } from '../domain/docketError.js';

/**
 * The event store's infrastructure faults, whatever the store: adapters translate their
 * vendor's errors into these (EventStoreDB: src/adapters/esdbErrors.ts), keeping the vendor's
 * error as `cause`.
 */
export class EventStoreUnavailableError extends DocketFault {
  constructor(message: string, options?: ErrorOptions) {
    super(FaultCode.eventStoreUnavailable, message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/** Why the store refused: a retry does not help until an operator changes something. */
export const EventStoreRefusal = {
  /** The stream was deleted (tombstoned, soft-deleted or truncated to nothing). */
  streamDeleted: 'stream-deleted',
  /** The store's user may not read or write the stream. */
  accessDenied: 'access-denied',
  /** The events of one append are larger than the store takes at once. */
  appendTooLarge: 'append-too-large',
} as const;
export type EventStoreRefusal = (typeof EventStoreRefusal)[keyof typeof EventStoreRefusal];

export class EventStoreRefusedError extends DocketFault {
  constructor(
    readonly reason: EventStoreRefusal,
    message: string,
    options?: ErrorOptions,
  ) {
    super(FaultCode.eventStoreRefused, message, options);
    this.name = 'EventStoreRefusedError';
  }
}

export const isEventStoreUnavailable = (error: unknown): error is EventStoreUnavailableError =>
  isFault(error, FaultCode.eventStoreUnavailable);

export const isEventStoreRefused = (error: unknown): error is EventStoreRefusedError =>
  isFault(error, FaultCode.eventStoreRefused);
