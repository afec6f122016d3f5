import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { eventStoreContract } from '../contract/eventStore.contract.js';

eventStoreContract('memory', () => {
  const store = new MemoryEventStore();
  return Promise.resolve({ store, cleanup: () => store.close() });
});
