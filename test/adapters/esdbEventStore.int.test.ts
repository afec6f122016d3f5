import { it } from 'vitest';
import { openEsdbEventStore } from '../../src/adapters/esdbEventStore.js';
import { eventStoreContract } from '../contract/eventStore.contract.js';

/**
 * The event-store contract against a real EventStoreDB (docs/eventstoredb.md): every test uses
 * its own `case-<uuid>` streams, so a shared development server is fine. Without ESDB_URL there
 * is no server to talk to and the suite is reported as one skipped test saying so.
 */
const url = process.env.ESDB_URL;

if (url !== undefined && url !== '') {
  eventStoreContract('eventstoredb', () => {
    const store = openEsdbEventStore({ connectionString: url });
    return Promise.resolve({ store, cleanup: () => store.close() });
  });
} else {
  it.skipIf(true)(
    "event store contract: eventstoredb — skipped: set ESDB_URL='esdb://localhost:2113?tls=false' (docker compose up -d eventstore) to run it",
    () => undefined,
  );
}
