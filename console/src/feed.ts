import { EventSourceParserStream } from 'eventsource-parser/stream';

/** One change of a case the caller may see, as `GET /feed` sends it. */
export interface CaseChange {
  readonly caseId: string;
  readonly tenant: string;
  readonly type: string;
  readonly revision: number;
  readonly occurredAt: string;
  readonly position: string;
}

export interface FeedListener {
  change(change: CaseChange): void;
  /** Connected (true: changes from now on arrive) or lost (false: reconnecting). */
  connected(live: boolean): void;
}

const RECONNECT_MS = 1_000;

/**
 * Follows `GET /feed` with the token (an EventSource cannot send one, so fetch reads the stream
 * and eventsource-parser splits it); after a drop it reconnects from the last event received.
 * Returns a function that stops it.
 */
export const followFeed = (token: string, listener: FeedListener): (() => void) => {
  const stop = new AbortController();
  let last: string | undefined;
  const once = async () => {
    const res = await fetch('/feed', {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
        ...(last === undefined ? {} : { 'last-event-id': last }),
      },
      signal: stop.signal,
    });
    if (!res.ok || res.body === null) throw new Error(`feed refused: ${res.status}`);
    listener.connected(true);
    const reader = res.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value.event !== 'case') continue;
      if (value.id !== undefined) last = value.id;
      listener.change(JSON.parse(value.data) as CaseChange);
    }
  };
  void (async () => {
    while (!stop.signal.aborted) {
      await once().catch(() => undefined);
      if (stop.signal.aborted) return;
      listener.connected(false);
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  })();
  return () => stop.abort();
};
