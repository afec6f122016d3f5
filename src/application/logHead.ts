import type { EventStore } from './eventStore.js';

/** Position of the last event in the log; undefined for an empty log. */
export const logHead = async (store: EventStore): Promise<bigint | undefined> => {
  for await (const e of store.readAll({ direction: 'backwards', maxCount: 1 })) return e.position;
  return undefined;
};
