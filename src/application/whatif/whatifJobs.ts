import { randomUUID } from 'node:crypto';
import type { Clock } from '../../domain/clock.js';
import { formatInstant } from '../../domain/instant.js';
import type { EventStore } from '../eventStore.js';
import { runWhatif, type WhatifOptions, type WhatifProgress } from './runWhatif.js';
import type { WhatifReport } from './whatifReport.js';

export type WhatifJobState = 'queued' | 'running' | 'done' | 'failed';

/** A what-if run as `GET /policy/whatif/{job}` shows it. */
export interface WhatifJobView {
  readonly job: string;
  readonly state: WhatifJobState;
  readonly queuedAt: string;
  readonly finishedAt: string | null;
  readonly progress: {
    readonly eventsRead: number;
    readonly casesReplayed: number;
    readonly totalEvents: number | null;
  };
  readonly report: WhatifReport | null;
  readonly error: string | null;
}

export interface WhatifJobsOptions {
  /** Lets other work run between two slices of a run (the HTTP server's requests). */
  readonly yieldNow: () => Promise<void>;
  /** Finished runs kept for reading, the oldest dropped first. @defaultValue 20 */
  readonly keep?: number;
  /** Case streams read between two yields. @defaultValue 50 */
  readonly sliceStreams?: number;
}

/**
 * What-if runs in this process, one at a time in the order asked (each reads the whole case
 * log); the API answers at once with the job and reports its progress while it runs. Runs and
 * their reports live in memory: they end with the process, and another process does not know
 * them.
 */
export class WhatifJobs {
  readonly #jobs = new Map<string, WhatifJobView>();
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly options: WhatifJobsOptions,
  ) {}

  /** Queues a run; its job id is random (a client cannot guess another's). */
  start(run: Omit<WhatifOptions, 'onProgress' | 'progressEvery'>): WhatifJobView {
    const job = randomUUID();
    const view: WhatifJobView = {
      job,
      state: 'queued',
      queuedAt: formatInstant(this.clock.now()),
      finishedAt: null,
      progress: { eventsRead: 0, casesReplayed: 0, totalEvents: null },
      report: null,
      error: null,
    };
    this.#set(view);
    this.#queue = this.#queue.then(() => this.#run(job, run));
    return view;
  }

  get(job: string): WhatifJobView | undefined {
    return this.#jobs.get(job);
  }

  /** Resolves once every run queued so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await this.#queue;
  }

  async #run(job: string, run: Omit<WhatifOptions, 'onProgress' | 'progressEvery'>) {
    const progress = (p: WhatifProgress) => ({ ...p, totalEvents: p.totalEvents ?? null });
    this.#update(job, { state: 'running' });
    try {
      const report = await runWhatif(this.store, {
        ...run,
        progressEvery: this.options.sliceStreams ?? 50,
        onProgress: async (p) => {
          this.#update(job, { progress: progress(p) });
          await this.options.yieldNow();
        },
      });
      this.#update(job, { state: 'done', report });
    } catch (error) {
      this.#update(job, { state: 'failed', error: (error as Error).message });
    } finally {
      this.#update(job, { finishedAt: formatInstant(this.clock.now()) });
    }
  }

  #update(job: string, change: Partial<WhatifJobView>) {
    const current = this.#jobs.get(job);
    if (current !== undefined) this.#jobs.set(job, { ...current, ...change });
  }

  #set(view: WhatifJobView) {
    this.#jobs.set(view.job, view);
    const finished = [...this.#jobs.values()].filter((j) => j.finishedAt !== null);
    for (const old of finished.slice(0, Math.max(0, finished.length - (this.options.keep ?? 20))))
      this.#jobs.delete(old.job);
  }
}
