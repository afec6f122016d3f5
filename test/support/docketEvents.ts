import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '../../src/application/eventStore.js';

/** A Docket event for store tests: `commandId` fixed to retry the same command. */
export const docketEvent = (
  type: string,
  data: unknown = {},
  commandId: string = randomUUID(),
): NewEvent => ({
  type,
  schemaVersion: 1,
  data,
  metadata: {
    commandId,
    causationId: commandId,
    correlationId: commandId,
    actor: { role: 'agent', id: 'li' },
    occurredAt: '2026-11-23T02:00:00.000Z',
    caseId: 'c1',
    policyVersion: 'seed-2026.1',
    machineVersion: 1,
  },
});

export const collect = async (source: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  for await (const event of source) out.push(event);
  return out;
};
