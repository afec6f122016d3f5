import type { TimerBackend } from '../application/timerBackend.js';
import { InProcessTimerBackend } from './inProcessTimerBackend.js';
import type { ServiceConfig } from '../config/serviceConfig.js';
import type { Clock } from '../domain/clock.js';
import { BullmqTimerBackend } from './bullmqTimerBackend.js';

export interface OpenedTimerBackend {
  readonly backend: TimerBackend;
  readonly description: string;
  /** How often the scheduler repairs the backend from its schedule (BullMQ: Redis may lose jobs). */
  readonly reconcileEveryMs?: number;
}

/** The timer backend the configuration names: BullMQ with `REDIS_URL`, else in-process. */
export const openTimerBackend = (
  config: Pick<ServiceConfig, 'redisUrl' | 'redisPrefix'>,
  clock: Clock,
  onError?: (error: unknown) => void,
): OpenedTimerBackend => {
  if (config.redisUrl === undefined) {
    return { backend: new InProcessTimerBackend({ clock, onError }), description: 'in-process' };
  }
  return {
    backend: new BullmqTimerBackend({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      clock,
      ...(onError === undefined ? {} : { onError }),
    }),
    description: `BullMQ at ${new URL(config.redisUrl).host} (prefix ${config.redisPrefix})`,
    reconcileEveryMs: 60_000,
  };
};
