import type { StreamBreak } from '../application/auditVerifier.js';
import type { ReadByStreamOptions } from '../application/eventStore.js';
import { startWorker } from '../adapters/startWorker.js';

export type FromVerifyThread =
  | { readonly type: 'break'; readonly break: StreamBreak }
  | { readonly type: 'progress'; readonly streams: number; readonly events: number }
  | {
      readonly type: 'done';
      readonly streams: number;
      readonly events: number;
      readonly breaks: number;
    }
  | { readonly type: 'failed'; readonly message: string };

/** The ranges `splits` (ascending stream ids) cut the id space into. */
export const rangesBetween = (splits: readonly string[]): ReadByStreamOptions[] =>
  [undefined, ...splits].map((from, i) => ({
    ...(from === undefined ? {} : { fromStreamId: from }),
    ...(splits[i] === undefined ? {} : { toStreamId: splits[i] }),
  }));

/**
 * `docket audit verify --all` on a SQLite store with several cores: one worker thread per range
 * of stream ids, each on its own read connection (streams are independent: each chain and each
 * replay needs only its own events). Breaks arrive as found, progress as summed counts.
 */
export const verifyInThreads = async (
  path: string,
  splits: readonly string[],
  onBreak: (b: StreamBreak) => void,
  onProgress: (p: { streams: number; events: number }) => void,
): Promise<{ streams: number; events: number; breaks: number }> => {
  const total = { streams: 0, events: 0, breaks: 0 };
  const progress = { streams: 0, events: 0 };
  await Promise.all(
    rangesBetween(splits).map(
      (range) =>
        new Promise<void>((resolve, reject) => {
          const worker = startWorker(import.meta.url, 'verifyThreadMain', { path, range });
          let finished = false;
          worker.on('message', (message: FromVerifyThread) => {
            if (message.type === 'break') onBreak(message.break);
            else if (message.type === 'progress') {
              progress.streams += message.streams;
              progress.events += message.events;
              onProgress({ ...progress });
            } else if (message.type === 'done') {
              finished = true;
              total.streams += message.streams;
              total.events += message.events;
              total.breaks += message.breaks;
            } else {
              finished = true;
              reject(new Error(message.message));
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) =>
            finished ? resolve() : reject(new Error(`a verify thread ended early (exit ${code})`)),
          );
        }),
    ),
  );
  return total;
};
