import { DelayedError, Queue, Worker, type Job, type JobType } from 'bullmq';
import { Redis } from 'ioredis';
import {
  isTimerNotDue,
  timerId,
  type FireTimer,
  type TimerBackend,
  type TimerChanges,
} from '../application/timerBackend.js';
import type { CaseTimer, TimerKind } from '../domain/case/caseTimers.js';
import type { Clock } from '../domain/clock.js';
import { systemClock } from './systemClock.js';

export interface BullmqTimerBackendOptions {
  /** The Redis server, e.g. `redis://127.0.0.1:6379`. */
  readonly redisUrl: string;
  /** @defaultValue 'docket-timers' */
  readonly queueName?: string;
  /**
   * Prefix of every Redis key of the queue (`<prefix>:<queueName>:…`).
   * @defaultValue 'docket'
   */
  readonly prefix?: string;
  /**
   * How long `close` waits for BullMQ to close (it waits for Redis to answer) before it cuts
   * the connections.
   * @defaultValue 5000
   */
  readonly closeGraceMs?: number;
  /**
   * Firings one worker runs at once.
   * @defaultValue 50
   */
  readonly concurrency?: number;
  /**
   * Attempts of a firing that throws (a busy store, …) before its job is left failed. A firing
   * refused with TimerNotDueError does not use one up.
   * @defaultValue 10
   */
  readonly attempts?: number;
  /**
   * First retry delay of a failed firing in ms; each further retry waits twice as long.
   * @defaultValue 1000
   */
  readonly backoffMs?: number;
  /**
   * Turns due instants into delays. BullMQ itself promotes delayed jobs by the wall clock.
   * @defaultValue the wall clock (`systemClock`)
   */
  readonly clock?: Clock;
  /**
   * How long a worker's lock on a firing job lasts without renewal (renewed every half). A
   * worker that dies loses its jobs to another worker after this and one stalled check.
   * @defaultValue 30000
   */
  readonly lockDuration?: number;
  /**
   * How often a worker looks for jobs whose worker died (stalled jobs). Give every worker of a
   * queue the same value: a check by any worker holds off all workers' checks for the checking
   * worker's interval (BullMQ's `stalled-check` key).
   * @defaultValue 30000
   */
  readonly stalledInterval?: number;
  /**
   * Receives errors BullMQ reports in the background (lost connection, …).
   * @defaultValue writes them to stderr
   */
  readonly onError?: (error: Error) => void;
}

/** The job states of a timer waiting to fire (BullMQ 6 keeps a paused queue's jobs in `wait`). */
const waitingStates = ['delayed', 'prioritized', 'waiting'] as const satisfies JobType[];
/** The states `jobCounts` reports. */
const jobCountStates = [
  'delayed',
  'prioritized',
  'waiting',
  'active',
  'completed',
  'failed',
] as const satisfies JobType[];
/** Ids read per Redis call when listing a state. */
const PAGE = 1_000;
/** A TimerNotDueError with its due instant already passed here is retried after this long. */
const MIN_REDELIVERY_MS = 100;

type TimerJob = Job<CaseTimer, void, TimerKind>;

/**
 * Timers as BullMQ delayed jobs: the job id is the timer's identity, so adding a timer twice is
 * one job, and the job's data is the timer. Workers in any number of processes fire them; a job
 * whose worker dies is fired again by another after BullMQ's stalled-job check. Redis and BullMQ
 * errors are not translated: they are infrastructure faults and propagate as thrown.
 */
export class BullmqTimerBackend implements TimerBackend {
  readonly #queueName: string;
  readonly #prefix: string;
  readonly #options: BullmqTimerBackendOptions;
  readonly #clock: Clock;
  readonly #onError: (error: Error) => void;
  readonly #connections: Redis[] = [];
  readonly #queue: Queue<CaseTimer, void, TimerKind>;
  #worker: Worker<CaseTimer, void, TimerKind> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: BullmqTimerBackendOptions) {
    this.#options = options;
    this.#queueName = options.queueName ?? 'docket-timers';
    this.#prefix = options.prefix ?? 'docket';
    this.#clock = options.clock ?? systemClock;
    this.#onError =
      options.onError ?? ((error) => console.error(`docket timers (bullmq): ${error.message}`));
    this.#queue = new Queue(this.#queueName, { connection: this.#connect(), prefix: this.#prefix });
    this.#queue.on('error', this.#onError);
  }

  async start(fire: FireTimer): Promise<void> {
    if (this.#closing !== undefined) throw new Error('timer backend is closed');
    if (this.#worker !== undefined) throw new Error('timer backend already started');
    const worker = new Worker<CaseTimer, void, TimerKind>(
      this.#queueName,
      (job, token) => this.#process(fire, job, token),
      {
        connection: this.#connect(),
        prefix: this.#prefix,
        concurrency: this.#options.concurrency ?? 50,
        ...(this.#options.lockDuration !== undefined && {
          lockDuration: this.#options.lockDuration,
        }),
        ...(this.#options.stalledInterval !== undefined && {
          stalledInterval: this.#options.stalledInterval,
        }),
      },
    );
    worker.on('error', this.#onError);
    this.#worker = worker;
    await worker.waitUntilReady();
  }

  async apply({ add, remove }: TimerChanges): Promise<void> {
    await this.#remove(remove.map(timerId));
    await this.#add(add);
  }

  async reconcile(timers: readonly CaseTimer[]): Promise<{ added: number; removed: number }> {
    const desired = new Map(timers.map((t) => [timerId(t), t]));
    // Listed in the order jobs move (waiting → active → finished), so a job moving on while
    // we list is seen twice rather than not at all.
    const held = await this.#ids(waitingStates);
    const active = await this.#ids(['active']);
    const finished = await this.#ids(['failed', 'completed']);
    const missing = [...desired].filter(([id]) => !held.has(id) && !active.has(id));
    const orphans = [...held].filter((id) => !desired.has(id));
    // A job left failed (attempts used up) keeps its id, and adding that id again would be
    // ignored as a duplicate: clear it so the timer is tried afresh.
    await this.#remove(missing.map(([id]) => id).filter((id) => finished.has(id)));
    const removed = await this.#remove(orphans);
    await this.#add(missing.map(([, t]) => t));
    return { added: missing.length, removed };
  }

  async held(): Promise<CaseTimer[]> {
    const timers = new Map<string, CaseTimer>();
    for (const state of waitingStates) {
      for (let start = 0; ; start += PAGE) {
        const jobs = await this.#queue.getJobs([state], start, start + PAGE - 1);
        for (const job of jobs) if (job.id !== undefined) timers.set(job.id, toTimer(job.data));
        if (jobs.length < PAGE) break;
      }
    }
    return [...timers.values()];
  }

  /** The queue's jobs by state (`delayed`: timers waiting for their due instant), for metrics. */
  async jobCounts(): Promise<Record<string, number>> {
    return this.#queue.getJobCounts(...jobCountStates);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const graceful = (async () => {
      await this.#worker?.close();
      await this.#queue.close();
    })();
    // BullMQ's close waits for Redis to answer: with Redis away it would wait forever, and so
    // would the process's shutdown. Past the grace period the connections are cut instead (a
    // job being fired meanwhile is redelivered after its lock expires; its command id makes
    // that a duplicate).
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'cut'>((resolve) => {
      timer = setTimeout(() => resolve('cut'), this.#options.closeGraceMs ?? 5_000);
    });
    try {
      if ((await Promise.race([graceful, graceOver])) === 'cut') {
        graceful.catch(() => undefined);
        for (const connection of this.#connections) {
          connection.on('error', () => undefined);
          connection.disconnect();
        }
        return;
      }
    } finally {
      clearTimeout(timer);
    }
    await Promise.all(this.#connections.map(quit));
  }

  /** BullMQ wants its own ioredis instance in ESM, one that retries commands forever. */
  #connect(): Redis {
    // Its errors reach #onError through the queue's or worker's 'error' event.
    const connection = new Redis(this.#options.redisUrl, { maxRetriesPerRequest: null });
    this.#connections.push(connection);
    return connection;
  }

  async #process(fire: FireTimer, job: TimerJob, token: string | undefined): Promise<void> {
    try {
      await fire(job.data);
    } catch (error) {
      if (!isTimerNotDue(error)) throw error; // retried with backoff, up to `attempts`
      // Came early (this machine's clock is behind): back to delayed until due, without
      // using up an attempt. BullMQ reads the timestamp against the wall clock.
      const wait = Math.max(error.dueAt - this.#clock.now(), MIN_REDELIVERY_MS);
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
  }

  async #add(timers: readonly CaseTimer[]): Promise<void> {
    const now = this.#clock.now();
    const attempts = this.#options.attempts ?? 10;
    const backoff = { type: 'exponential', delay: this.#options.backoffMs ?? 1000 };
    for (let i = 0; i < timers.length; i += PAGE) {
      await this.#queue.addBulk(
        timers.slice(i, i + PAGE).map((timer) => ({
          name: timer.kind,
          data: toTimer(timer),
          opts: {
            jobId: timerId(timer),
            delay: Math.max(0, timer.dueAt - now),
            attempts,
            backoff,
            removeOnComplete: true,
            removeOnFail: { count: 1000 },
          },
        })),
      );
    }
  }

  /** Removes jobs by id; returns how many it removed (an active, locked job is not). */
  async #remove(ids: readonly string[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < ids.length; i += PAGE) {
      const codes = await Promise.all(ids.slice(i, i + PAGE).map((id) => this.#queue.remove(id)));
      removed += codes.filter((code) => code === 1).length;
    }
    return removed;
  }

  /** The ids of the jobs in `states`, a page of ids at a time (no job data is read). */
  async #ids(states: readonly JobType[]): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const state of states) {
      // Newest first: jobs leave a state from the other end, so pages do not shift under us.
      for (let start = 0; ; start += PAGE) {
        const page = await this.#queue.getRanges([state], start, start + PAGE - 1, false);
        for (const id of page) ids.add(id);
        if (page.length < PAGE) break;
      }
    }
    return ids;
  }
}

/** Only the timer's own fields go into Redis and come back out. */
const toTimer = ({ caseId, kind, dueAt, revision }: CaseTimer): CaseTimer => ({
  caseId,
  kind,
  dueAt,
  revision,
});

const quit = async (connection: Redis): Promise<void> => {
  connection.on('error', () => undefined); // BullMQ has let go of it: nothing left to report
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
};
