import type { Clock } from '../domain/clock.js';

/** The wall clock, for the running service. The core never reads it directly. */
export const systemClock: Clock = { now: () => Date.now() };
