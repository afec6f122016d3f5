import type { CheckpointReset } from '../application/projector.js';
import type { ServiceConfig } from '../config/serviceConfig.js';
import { startWorker } from '../adapters/startWorker.js';
import { superviseThread, type RunningThread, type SupervisedThread } from './threadSupervisor.js';

export type ToProjectorThread = { readonly type: 'close' };
export type FromProjectorThread =
  | { readonly type: 'ready' }
  | { readonly type: 'closed' }
  | { readonly type: 'checkpoint-reset'; readonly reset: CheckpointReset }
  | {
      readonly type: 'error';
      /** The thread could not start; it has ended. */
      readonly fatal: boolean;
      readonly message: string;
      readonly stack: string | undefined;
    };

export type ProjectorThread = SupervisedThread;

/**
 * `docket serve` runs its projector in a worker thread with its own connections: applying
 * events to the read models then costs the request thread nothing (it was a third of each
 * command's CPU time in bench/http) and uses the second core. Projections are downstream of the
 * log, so nothing but latency separates them from the commands; the thread looks for new events
 * every `pollMs` (docs/reporting.md). If it cannot start, this rejects; if it dies later, it is
 * reported and started again (threadSupervisor.ts): it carries on from its checkpoints.
 */
export const startProjectorThread = (
  config: ServiceConfig,
  onError: (error: Error) => void,
  pollMs = 20,
  onCheckpointReset: (reset: CheckpointReset) => void = () => undefined,
): Promise<ProjectorThread> =>
  superviseThread(
    () => startProjectorThreadOnce(config, onError, pollMs, onCheckpointReset),
    onError,
  );

const startProjectorThreadOnce = (
  config: ServiceConfig,
  onError: (error: Error) => void,
  pollMs: number,
  onCheckpointReset: (reset: CheckpointReset) => void,
): Promise<RunningThread> => {
  const worker = startWorker(import.meta.url, 'projectorThreadMain', { config, pollMs });
  const toError = (m: { message: string; stack: string | undefined }) => {
    const error = new Error(m.message);
    if (m.stack !== undefined) error.stack = m.stack;
    return error;
  };
  return new Promise<RunningThread>((resolve, reject) => {
    let started = false;
    let closing: Promise<void> | undefined;
    let exited = false;
    const ended = new Promise<void>((done) =>
      worker.once('exit', (code) => {
        exited = true;
        if (!started)
          reject(new Error(`the projector thread ended before it started (exit ${code})`));
        else if (closing === undefined)
          onError(new Error(`the projector thread ended (exit ${code})`));
        done();
      }),
    );
    worker.on('error', (error) => (started ? onError(error) : reject(error)));
    worker.on('message', (message: FromProjectorThread) => {
      if (message.type === 'ready') {
        started = true;
        resolve({
          ended,
          close: () =>
            (closing ??= (async () => {
              if (!exited) worker.postMessage({ type: 'close' } satisfies ToProjectorThread);
              await ended;
            })()),
        });
      } else if (message.type === 'closed') {
        // Everything is closed: do not wait for stray handles to let the thread end.
        void worker.terminate();
      } else if (message.type === 'checkpoint-reset') {
        onCheckpointReset(message.reset);
      } else if (message.type === 'error') {
        if (message.fatal && !started) reject(toError(message));
        else onError(toError(message));
      }
    });
  });
};
