/**
 * Entry of one `docket audit verify --all` thread (see verifyThreads.ts): verifies a range of
 * stream ids of a SQLite store on its own connection, posting breaks and progress.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../adapters/sqliteEventStore.js';
import { verifyStore } from '../application/auditVerifier.js';
import { caseEventUpcasters } from '../application/caseEventUpcasters.js';
import type { ReadByStreamOptions } from '../application/eventStore.js';
import { UpcasterRegistry } from '../application/upcasting.js';
import type { FromVerifyThread } from './verifyThreads.js';

const port = parentPort;
if (port === null) throw new Error('verifyThreadMain runs in a worker thread');
const post = (message: FromVerifyThread) => port.postMessage(message);
const { path, range } = workerData as { path: string; range: ReadByStreamOptions };

let store: SqliteEventStore | undefined;
try {
  store = new SqliteEventStore({ path });
  let reported = { streams: 0, events: 0 };
  const result = await verifyStore(
    store,
    new UpcasterRegistry(caseEventUpcasters),
    (b) => post({ type: 'break', break: b }),
    (p) => {
      post({
        type: 'progress',
        streams: p.streams - reported.streams,
        events: p.events - reported.events,
      });
      reported = { streams: p.streams, events: p.events };
    },
    range,
  );
  post({ type: 'done', ...result });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  await store?.close();
}
