const settled = (): void => undefined;

/**
 * Runs tasks one after another per key (a lane), different keys side by side: the command
 * handler's queue per case, so that commands contending for one case inside one process wait
 * their turn instead of racing to append. A lane is forgotten once it is empty.
 */
export class LaneQueue {
  /** The last task queued on each busy lane: the next one runs after it. */
  readonly #lanes = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const ahead = this.#lanes.get(key);
    const run = ahead === undefined ? task() : ahead.then(task);
    const lane = run.then(settled, settled);
    this.#lanes.set(key, lane);
    void lane.then(() => {
      if (this.#lanes.get(key) === lane) this.#lanes.delete(key);
    });
    return run;
  }
}
