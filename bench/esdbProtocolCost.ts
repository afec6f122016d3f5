import { performance } from 'node:perf_hooks';
import { openEsdbEventStore } from '../src/adapters/esdbEventStore.js';
import type { NewEvent } from '../src/application/eventStore.js';
import { EsdbTestServer } from '../test/support/esdbTestServer.js';

/**
 * The EventStoreDB adapter through the real client (`@eventstore/db-client`, gRPC over
 * loopback) against the in-process test server (test/support/esdbTestServer.ts): the cost of
 * the protocol and the client in this process, NOT a figure for an EventStoreDB server, which
 * writes to disk, replicates and runs elsewhere. Same workloads as the SQLite lines above.
 */
export const esdbProtocolCost = async (
  event: (i: number) => NewEvent,
  writes: number,
  concurrentEvents: number,
  readEvents: number,
): Promise<void> => {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const label = 'ESDB adapter → test server (protocol cost, not a server figure)';
  const server = await EsdbTestServer.start({ statsEvery: 50 });
  const store = openEsdbEventStore({ connectionString: server.connectionString });
  try {
    let start = performance.now();
    for (let i = 0; i < writes; i++)
      await store.append(`case-s${i}`, [event(i)], { expectedRevision: 'no-stream' });
    console.log(
      `${label}, 1 caller, 1 event per append: ${fmt(writes / ((performance.now() - start) / 1000))} events/s`,
    );

    const callers = 64;
    const perCaller = Math.ceil(concurrentEvents / callers);
    start = performance.now();
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        for (let i = 0; i < perCaller; i++)
          await store.append(`case-g${c}`, [event(i)], {
            expectedRevision: i === 0 ? 'no-stream' : i - 1,
          });
      }),
    );
    const concurrentRate = (callers * perCaller) / ((performance.now() - start) / 1000);
    console.log(
      `${label}, 64 concurrent callers, 1 event per append: ${fmt(concurrentRate)} events/s`,
    );

    for (let i = 0; i < readEvents; i += 100) {
      const batch = Array.from({ length: Math.min(100, readEvents - i) }, (_, k) => event(i + k));
      await store.append(`case-b${i}`, batch, { expectedRevision: 'no-stream' });
    }
    let count = 0;
    start = performance.now();
    for await (const recorded of store.readAll()) if (recorded.revision >= 0) count++;
    console.log(
      `${label}, readAll of ${fmt(count)} events: ${fmt(count / ((performance.now() - start) / 1000))} events/s`,
    );
  } finally {
    await store.close();
    await server.stop();
  }
};
