import { FaultCode, isFault } from '../domain/docketError.js';

/** gRPC status codes (the EventStoreDB client's errors carry them as `code`). */
const grpcDeadlineExceeded = 4;
const grpcUnavailable = 14;

/** Socket errors that mean "the server at the other end is not there (now)". */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * Whether an error thrown while handling a request means a dependency (the event store, the
 * read-model database, Redis) cannot be reached, so the request may succeed if retried later:
 * a socket error, PostgreSQL's connection and shutdown classes (`08…`, `57P0…`), a pool that
 * timed out connecting, or the EventStoreDB client's unavailable and deadline errors.
 */
export const isUnavailableDependency = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  if (isFault(error, FaultCode.eventStoreUnavailable)) return true; // the adapters' own word
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (networkCodes.has(code) || code.startsWith('08') || code.startsWith('57P0')) return true;
  }
  // The EventStoreDB client's errors keep `name` "Error": their class and gRPC status tell.
  const kind = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if ([name, kind].some((n) => n === 'UnavailableError' || n === 'DeadlineExceededError'))
    return true;
  if (code === grpcUnavailable || code === grpcDeadlineExceeded) return true;
  if (
    typeof message === 'string' &&
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  )
    return true;
  const cause = (error as { cause?: unknown }).cause;
  const errors = (error as { errors?: unknown }).errors; // AggregateError (several addresses)
  return (
    (cause !== undefined && cause !== error && isUnavailableDependency(cause)) ||
    (Array.isArray(errors) && errors.some(isUnavailableDependency))
  );
};
