/**
 * Entry of one `docket policy whatif` thread (see whatifThreads.ts): replays the case streams of
 * a range of a SQLite store on its own connection, posting progress and then its partial.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../adapters/sqliteEventStore.js';
import { caseEventUpcasters } from '../application/caseEventUpcasters.js';
import { UpcasterRegistry, withUpcasting } from '../application/upcasting.js';
import { recordedPolicies } from '../application/whatif/recordedPolicies.js';
import { replayCaseStreams, type WhatifPolicy } from '../application/whatif/replayCaseStreams.js';
import type { FromWhatifThread, WhatifThreadData } from './whatifThreads.js';

const port = parentPort;
if (port === null) throw new Error('whatifThreadMain runs in a worker thread');
const post = (message: FromWhatifThread) => port.postMessage(message);
const { path, range, policy, filter, head } = workerData as WhatifThreadData;

let rawStore: SqliteEventStore | undefined;
try {
  rawStore = new SqliteEventStore({ path });
  const store = withUpcasting(rawStore, new UpcasterRegistry(caseEventUpcasters));
  const replayPolicy: WhatifPolicy =
    policy.kind === 'candidate'
      ? policy
      : { kind: 'recorded', byVersion: await recordedPolicies(store) };
  let reported = { eventsRead: 0, casesReplayed: 0 };
  const partial = await replayCaseStreams(store, {
    ...filter,
    policy: replayPolicy,
    head,
    range,
    onProgress: (p) => {
      post({
        type: 'progress',
        eventsRead: p.eventsRead - reported.eventsRead,
        casesReplayed: p.casesReplayed - reported.casesReplayed,
      });
      reported = p;
    },
  });
  post({
    type: 'progress',
    eventsRead: partial.eventsRead - reported.eventsRead,
    casesReplayed: partial.casesReplayed - reported.casesReplayed,
  });
  post({ type: 'done', partial });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  await rawStore?.close();
}
