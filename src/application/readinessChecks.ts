import type { Clock } from '../domain/clock.js';
import { policyHorizonWarnings } from '../domain/policy/policyHorizons.js';
import type { EventStore } from './eventStore.js';
import { logHead } from './logHead.js';
import type { PolicyRegistry } from './policyRegistry.js';
import type { ProjectionLag } from './projectionLag.js';
import type { ReadinessCheck } from './readiness.js';

/*
 * Ready-made readiness checks, each for the process that owns the dependency to register
 * (`readiness.register('store', eventStoreCheck(store))`). docs/operations.md lists them.
 */

/** The event store answers: the log's head is read (an empty log is ready). */
export const eventStoreCheck =
  (store: EventStore): ReadinessCheck =>
  async () => ({ ready: true, details: { head: Number((await logHead(store)) ?? 0n) } });

export interface ProjectionBound {
  /** Not ready when a projection has more events than this left to apply. */
  readonly maxEvents?: number;
  /** Not ready when the oldest event a projection has not applied is older than this. */
  readonly maxSeconds?: number;
}

/** The projections are caught up within `bound` (by events and by age), as `read` reports them. */
export const projectionCheck =
  (read: () => Promise<readonly ProjectionLag[]>, bound: ProjectionBound): ReadinessCheck =>
  async () => {
    const lags = await read();
    const behind = lags.filter(
      (l) =>
        (bound.maxEvents !== undefined && l.events > bound.maxEvents) ||
        (bound.maxSeconds !== undefined && l.seconds > bound.maxSeconds),
    );
    const details = { projections: lags };
    if (behind.length === 0) return { ready: true, details };
    const what = behind.map(
      (l) => `${l.projection} ${l.events} events, ${l.seconds.toFixed(1)} s behind`,
    );
    return { ready: false, reason: `projections behind the log: ${what.join('; ')}`, details };
  };

/**
 * The holiday data of the policy in force, as `docket policy check` judges it. Always ready:
 * a calendar whose data has run out, or soon will, is a warning in `details` (deadlines past it
 * are still computed, from the weekly hours, and carry a `calendar-horizon` warning), because
 * every instance runs the same policy and taking them all out of service would stop the
 * commands for want of next year's holidays. Alert on `docket_calendar_horizon_days` instead.
 */
export const calendarHorizonCheck =
  (policies: Pick<PolicyRegistry, 'current'>, clock: Clock): ReadinessCheck =>
  () => {
    const policy = policies.current;
    const warnings = policyHorizonWarnings(policy, clock.now());
    return Promise.resolve({ ready: true, details: { policyVersion: policy.version, warnings } });
  };
