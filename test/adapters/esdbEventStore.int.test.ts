import { afterAll, beforeAll } from 'vitest';
import { openEsdbEventStore } from '../../src/adapters/esdbEventStore.js';
import { eventStoreContract } from '../contract/eventStore.contract.js';
import { EsdbTestServer } from '../support/esdbTestServer.js';

/**
 * The event-store contract through the real `@eventstore/db-client`: against the real server
 * named by ESDB_URL when it is set (docs/eventstoredb.md), otherwise against the protocol-level
 * test server (test/support/esdbTestServer.ts), so it runs in every CI run. Every test uses its
 * own `case-<uuid>` streams, so a shared development server is fine.
 */
const url = process.env.ESDB_URL;
let server: EsdbTestServer | undefined;

if (url === undefined || url === '') {
  beforeAll(async () => {
    server = await EsdbTestServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });
}

eventStoreContract(
  url === undefined || url === '' ? 'eventstoredb (test server)' : 'eventstoredb',
  () => {
    const store = openEsdbEventStore({ connectionString: url || server!.connectionString });
    return Promise.resolve({ store, cleanup: () => store.close() });
  },
);
