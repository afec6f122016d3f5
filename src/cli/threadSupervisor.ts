/** A worker thread that has started: it ends when closed, or on its own if something kills it. */
export interface RunningThread {
  /** Resolves once the thread has ended, for whatever reason. */
  readonly ended: Promise<void>;
  /** Asks the thread to finish its work and end; resolves once it has. */
  close(): Promise<void>;
}

export interface SupervisedThread {
  /** Stops restarting, and closes the thread running now (if any). */
  close(): Promise<void>;
}

export interface RestartDelays {
  /** Wait before the first restart; doubled after each restart that did not last. */
  readonly firstMs: number;
  readonly maxMs: number;
  /** A thread that ran this long before it ended counts as healthy: the next wait is `firstMs`. */
  readonly healthyAfterMs: number;
}

const defaultDelays: RestartDelays = { firstMs: 1_000, maxMs: 30_000, healthyAfterMs: 60_000 };

/**
 * Keeps a worker thread running. The first start is the caller's to handle: if it fails, the
 * promise rejects and nothing is retried (a service refuses to start without it). After that,
 * a thread that ends without being asked is reported to `onError` and started again after a
 * wait that doubles while restarts keep failing or dying young (1 s, 2 s, … 30 s by default).
 */
export const superviseThread = async (
  start: () => Promise<RunningThread>,
  onError: (error: Error) => void,
  delays: RestartDelays = defaultDelays,
): Promise<SupervisedThread> => {
  let current: RunningThread | undefined = await start();
  let startedAt = Date.now();
  let closing = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let starting: Promise<void> | undefined;

  const restartLater = (reason: string) => {
    if (closing) return;
    const delay = Math.min(delays.maxMs, delays.firstMs * 2 ** attempt);
    attempt++;
    onError(new Error(`${reason}; starting it again in ${delay} ms`));
    timer = setTimeout(() => {
      timer = undefined;
      starting = start().then(
        async (thread) => {
          starting = undefined;
          if (closing) {
            await thread.close();
            return;
          }
          current = thread;
          startedAt = Date.now();
          watch(thread);
        },
        (error: unknown) => {
          starting = undefined;
          onError(error instanceof Error ? error : new Error(String(error)));
          restartLater('the thread could not be started again');
        },
      );
    }, delay);
  };

  const watch = (thread: RunningThread) => {
    void thread.ended.then(() => {
      if (closing || current !== thread) return;
      current = undefined;
      if (Date.now() - startedAt >= delays.healthyAfterMs) attempt = 0;
      restartLater('the thread ended unexpectedly');
    });
  };
  watch(current);

  return {
    close: async () => {
      closing = true;
      if (timer !== undefined) clearTimeout(timer);
      await starting;
      await current?.close();
    },
  };
};
