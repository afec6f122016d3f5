import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { superviseThread, type RunningThread } from '../../src/cli/threadSupervisor.js';

interface FakeThread extends RunningThread {
  /** Ends the thread as a crash would. */
  die(): void;
  closed: boolean;
}

const fakeThread = (): FakeThread => {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const thread: FakeThread = {
    ended,
    closed: false,
    die: () => end(),
    close: async () => {
      thread.closed = true;
      end();
      await ended;
    },
  };
  return thread;
};

/** A start function whose results are queued by the test: a thread, or an error. */
const starter = () => {
  const outcomes: Array<FakeThread | Error> = [];
  const started: FakeThread[] = [];
  const start = vi.fn((): Promise<FakeThread> => {
    const next = outcomes.shift() ?? fakeThread();
    if (next instanceof Error) return Promise.reject(next);
    started.push(next);
    return Promise.resolve(next);
  });
  return { start, outcomes, started };
};

const delays = { firstMs: 1_000, maxMs: 8_000, healthyAfterMs: 60_000 };

describe('thread supervisor (given a thread, when it ends, then …)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a first start that fails is the caller’s: rejected, never retried', async () => {
    const { start, outcomes } = starter();
    outcomes.push(new Error('no database'));
    await expect(superviseThread(start, () => undefined, delays)).rejects.toThrow('no database');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('a thread that dies is reported and started again, waiting longer while it keeps dying young', async () => {
    const { start, started } = starter();
    const errors: string[] = [];
    const supervised = await superviseThread(start, (e) => errors.push(e.message), delays);

    started[0]!.die();
    await vi.advanceTimersByTimeAsync(999);
    expect(start).toHaveBeenCalledTimes(1);
    expect(errors).toEqual(['the thread ended unexpectedly; starting it again in 1000 ms']);
    await vi.advanceTimersByTimeAsync(1);
    expect(start).toHaveBeenCalledTimes(2);

    started[1]!.die(); // young: the next wait doubles
    await vi.advanceTimersByTimeAsync(1_999);
    expect(start).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(start).toHaveBeenCalledTimes(3);

    await vi.advanceTimersByTimeAsync(60_000); // ran long enough to count as healthy
    started[2]!.die();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(start).toHaveBeenCalledTimes(4);
    expect(errors.at(-1)).toMatch(/again in 1000 ms/);
    await supervised.close();
    expect(started[3]!.closed).toBe(true);
  });

  it('a restart that fails is reported and tried again later, up to the longest wait', async () => {
    const { start, outcomes, started } = starter();
    const errors: string[] = [];
    await superviseThread(start, (e) => errors.push(e.message), delays);
    outcomes.push(new Error('a'), new Error('b'), new Error('c'), new Error('d'));
    started[0]!.die();
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000 + 8_000);
    expect(start).toHaveBeenCalledTimes(5);
    await vi.advanceTimersByTimeAsync(8_000); // capped at maxMs
    expect(start).toHaveBeenCalledTimes(6);
    expect(started).toHaveLength(2);
    expect(errors.filter((m) => /^[abcd]$/.test(m))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('closing stops the restarts, and closes a thread that was starting meanwhile', async () => {
    const { start, started } = starter();
    const first = await superviseThread(start, () => undefined, delays);
    started[0]!.die();
    await first.close(); // during the wait
    await vi.advanceTimersByTimeAsync(60_000);
    expect(start).toHaveBeenCalledTimes(1);

    let release!: (t: FakeThread) => void;
    const slow = starter();
    const second = await superviseThread(slow.start, () => undefined, delays);
    const late = fakeThread();
    slow.start.mockImplementationOnce(() => new Promise<FakeThread>((r) => (release = r)));
    slow.started[0]!.die();
    await vi.advanceTimersByTimeAsync(1_000); // the restart is under way
    const closed = second.close();
    release(late);
    await closed;
    expect(late.closed).toBe(true);
  });

  it('closing closes the running thread, and it is not restarted', async () => {
    const { start, started } = starter();
    const supervised = await superviseThread(start, () => undefined, delays);
    await supervised.close();
    expect(started[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(start).toHaveBeenCalledTimes(1);
  });
});
