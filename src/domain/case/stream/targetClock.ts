import type { FurtherTarget } from '../../policy/slaTarget.js';

/** An at-risk instant of a clock, its share, and whether its warning was recorded. */
export interface AtRiskMark {
  readonly share: number;
  readonly at: number;
  readonly recorded: boolean;
}

/**
 * A further target's clock as the case records it: running toward `dueAt`, paused with
 * `remainingMs` of business time left while the case awaits the customer, or stopped.
 */
export interface TargetClock {
  readonly status: 'running' | 'paused' | 'stopped';
  /** The calendar its business time counts on. */
  readonly calendar: string;
  /** The whole target, in business ms. */
  readonly budgetMs: number;
  /** Epoch ms; meaningful while running. */
  readonly dueAt: number;
  /** Business ms left when it paused or stopped. */
  readonly remainingMs: number;
  readonly atRisk?: AtRiskMark | undefined;
  /** This clock recorded its (single) breach. */
  readonly breached: boolean;
  /** Revision of the event that set its instants: part of its timers' identity. */
  readonly setAt: number;
}

/** The clocks of a case's further targets; a target the policy does not set has none. */
export type TargetClocks = Readonly<Partial<Record<FurtherTarget, TargetClock>>>;
