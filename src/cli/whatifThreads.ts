import type { Worker } from 'node:worker_threads';
import type { ReadByStreamOptions } from '../application/eventStore.js';
import type { WhatifReplayer } from '../application/whatif/runWhatif.js';
import type { WhatifFilter, WhatifHead } from '../application/whatif/replayCaseStreams.js';
import type { WhatifPartial } from '../application/whatif/whatifPartial.js';
import type { Policy } from '../domain/policy/policy.js';
import { startWorker } from '../adapters/startWorker.js';
import { rangesBetween } from './verifyThreads.js';

/** What a what-if thread replays: its range of a SQLite store, under which policy. */
export interface WhatifThreadData {
  readonly path: string;
  readonly range: ReadByStreamOptions;
  /** A candidate for every case, or `recorded`: the thread reads the recorded versions itself. */
  readonly policy:
    { readonly kind: 'candidate'; readonly policy: Policy } | { readonly kind: 'recorded' };
  readonly filter: WhatifFilter;
  readonly head: WhatifHead;
}

export type FromWhatifThread =
  | { readonly type: 'progress'; readonly eventsRead: number; readonly casesReplayed: number }
  | { readonly type: 'done'; readonly partial: WhatifPartial }
  | { readonly type: 'failed'; readonly message: string };

/**
 * `docket policy whatif` on a SQLite store with several cores: one worker thread per range of
 * case stream ids (`splits`, ascending), each on its own read connection (cases are replayed
 * one by one, each needs only its own stream). The partials come back in range order, for
 * `runWhatif` to merge into the report a single thread would have made.
 */
export const whatifInThreads =
  (
    path: string,
    splits: readonly string[],
    policy: WhatifThreadData['policy'],
    filter: WhatifFilter,
  ): WhatifReplayer =>
  async (head, onProgress) => {
    const progress = { eventsRead: 0, casesReplayed: 0 };
    const workers: Worker[] = [];
    const parts = Promise.all(
      rangesBetween(splits).map(
        (range) =>
          new Promise<WhatifPartial>((resolve, reject) => {
            const data: WhatifThreadData = { path, range, policy, filter, head };
            const worker = startWorker(import.meta.url, 'whatifThreadMain', data);
            workers.push(worker);
            let partial: WhatifPartial | undefined;
            let failed: Error | undefined;
            worker.on('message', (message: FromWhatifThread) => {
              if (message.type === 'progress') {
                progress.eventsRead += message.eventsRead;
                progress.casesReplayed += message.casesReplayed;
                onProgress({ ...progress });
              } else if (message.type === 'done') partial = message.partial;
              else failed = new Error(message.message);
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (partial !== undefined) resolve(partial);
              else reject(failed ?? new Error(`a what-if thread ended early (exit ${code})`));
            });
          }),
      ),
    );
    try {
      return await parts;
    } catch (error) {
      // One range failed: the report cannot be made, the other threads' work is not needed.
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
  };
