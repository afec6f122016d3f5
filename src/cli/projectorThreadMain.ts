/**
 * Entry of `docket serve`'s projector thread (see projectorThread.ts): opens its own connections
 * to the event store and the read models and runs the projector until told to close.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ServiceConfig } from '../config/serviceConfig.js';
import type { FromProjectorThread, ToProjectorThread } from './projectorThread.js';
import { openReadModelsSessionFor } from './readModelsCli.js';

const port = parentPort;
if (port === null) throw new Error('projectorThreadMain runs in a worker thread');
const post = (message: FromProjectorThread) => port.postMessage(message);
const describe = (error: unknown) =>
  error instanceof Error
    ? { message: error.message, stack: error.stack }
    : { message: String(error), stack: undefined };

const { config, pollMs } = workerData as { config: ServiceConfig; pollMs: number };
try {
  const session = await openReadModelsSessionFor(config, {
    pollMs,
    onError: (error) => post({ type: 'error', fatal: false, ...describe(error) }),
    onCheckpointReset: (reset) => post({ type: 'checkpoint-reset', reset }),
  });
  port.on('message', (message: ToProjectorThread) => {
    if (message.type !== 'close') return;
    void session
      .close()
      .catch((error: unknown) => post({ type: 'error', fatal: false, ...describe(error) }))
      .finally(() => {
        post({ type: 'closed' });
        port.close();
      });
  });
  try {
    await session.projector.start();
  } catch (error) {
    await session.close();
    throw error;
  }
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'error', fatal: true, ...describe(error) });
  port.close();
}
