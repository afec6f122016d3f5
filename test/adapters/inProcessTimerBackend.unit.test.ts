import { systemClock } from '../../src/adapters/systemClock.js';
import { InProcessTimerBackend } from '../../src/adapters/inProcessTimerBackend.js';
import { timerBackendContract } from '../contract/timerBackend.contract.js';

timerBackendContract('in-process', () =>
  Promise.resolve({
    backend: () => new InProcessTimerBackend({ clock: systemClock, retryMs: 100 }),
    cleanup: () => Promise.resolve(),
  }),
);
