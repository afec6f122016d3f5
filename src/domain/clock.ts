/** The only source of "now" for the core: injected, so replays and simulations are deterministic. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** A clock that only moves when told to (tests, `docket simulate`). */
export class VirtualClock implements Clock {
  #now: number;

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves to `instant`; never backwards. */
  advanceTo(instant: number): void {
    if (instant > this.#now) this.#now = instant;
  }
}
