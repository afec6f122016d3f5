import type { StreamingRead } from '@eventstore/db-client';

/**
 * Iterates a client read; a consumer that stops early cancels the gRPC call *before* the read
 * stream is ended. Leaving a `for await` destroys the stream first: the call behind it is then
 * never consumed nor cancelled, holds its share of the connection's flow-control window, and
 * `client.dispose()` waits for it (test/adapters/esdbEarlyStop.int.test.ts).
 */
export async function* drain<E>(read: StreamingRead<E>): AsyncGenerator<E> {
  const iterator = read[Symbol.asyncIterator]();
  let settled = false;
  try {
    for (;;) {
      let next: IteratorResult<E>;
      try {
        next = await iterator.next();
      } catch (error) {
        settled = true; // the call failed: it has reported its status
        throw error;
      }
      if (next.done === true) {
        settled = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!settled) {
      await read.cancel().catch(() => undefined);
      await iterator.return?.(undefined);
    }
  }
}
