import type { Lease } from './lease.js';

/** Stops what a leader started; resolves once it has stopped. */
export type StopLeading = () => Promise<void>;

export interface LeadershipOptions {
  readonly lease: Lease;
  /** What this process does while it holds the lease, given the fencing token. */
  readonly lead: (token: number) => Promise<StopLeading>;
  /**
   * How often the leader renews its lease and a standby tries to take it. A standby takes over
   * within this interval of the lease falling free (a release, an expiry or a lost connection).
   * @defaultValue 1000
   */
  readonly intervalMs?: number;
  /** Told when this process becomes leader or stops being one. */
  readonly onChange?: (change: { readonly leader: boolean; readonly token?: number }) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Runs `lead` while this process holds the lease: tries to take it, renews it every
 * `intervalMs`, and stops leading the moment a renewal fails (the lease expired and was taken,
 * or its connection dropped), then goes back to trying. The leader's writes should carry the
 * fencing token where the shared state can check it; stopping quickly keeps the overlap short.
 */
export class Leadership {
  readonly #o: LeadershipOptions;
  #token: number | undefined;
  #stop: StopLeading | undefined;
  #timer: NodeJS.Timeout | undefined;
  #turn: Promise<void> = Promise.resolve();
  #closed = false;
  /** The lease's store failed the last attempt to take it. */
  #unreachable = false;

  constructor(options: LeadershipOptions) {
    this.#o = options;
  }

  /** Makes a first attempt (resolves after it), then keeps trying or renewing. */
  async start(): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.#o.intervalMs ?? 1_000);
    this.#timer.unref();
  }

  /** Whether this process leads now, and with which fencing token. */
  get token(): number | undefined {
    return this.#token;
  }

  /** The lease's store answered the last attempt to take the lease (or this process leads). */
  get reachable(): boolean {
    return !this.#unreachable;
  }

  /** One attempt to take or keep the lease (the interval calls it; tests may call it). */
  tick(): Promise<void> {
    this.#turn = this.#turn.then(() => (this.#closed ? undefined : this.#step()));
    return this.#turn;
  }

  /** Stops leading, gives the lease up for a standby, closes it. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#turn;
    const leading = this.#token !== undefined;
    await this.#depose();
    if (leading) await this.#o.lease.release().catch(this.#report);
    await this.#o.lease.close().catch(this.#report);
  }

  async #step(): Promise<void> {
    const { lease } = this.#o;
    if (this.#token !== undefined) {
      const kept = await lease.renew().catch((error: unknown) => (this.#report(error), false));
      if (!kept) await this.#depose();
      return;
    }
    let unreachable = false;
    const token = await lease.acquire().catch((error: unknown) => {
      // Reported once per outage, not at every attempt.
      if (!this.#unreachable) this.#report(error);
      unreachable = true;
      return undefined;
    });
    this.#unreachable = unreachable;
    if (token === undefined) return;
    this.#token = token;
    try {
      this.#stop = await this.#o.lead(token);
      this.#o.onChange?.({ leader: true, token });
    } catch (error) {
      // Could not start leading (a dependency is down): let a standby try.
      this.#report(error);
      this.#token = undefined;
      await lease.release().catch(this.#report);
    }
  }

  async #depose(): Promise<void> {
    if (this.#token === undefined) return;
    const stop = this.#stop;
    this.#token = undefined;
    this.#stop = undefined;
    await stop?.().catch(this.#report);
    this.#o.onChange?.({ leader: false });
  }

  readonly #report = (error: unknown) => this.#o.onError?.(error);
}
