import type { CaseMachineEvent } from '../../machines/caseMachineContext.js';
import type { CaseEvent } from '../domain/case/stream/caseEvents.js';
import { rebuildCase, type CaseSnapshot } from '../domain/case/rebuildCase.js';
import { caseStreamId } from '../domain/case/stream/caseStreamId.js';
import type { EventStore, RecordedEvent } from './eventStore.js';

/** A recorded (and upcast) case event as the machine folds it. */
export const toMachineEvent = (event: RecordedEvent): CaseMachineEvent =>
  ({
    type: event.type,
    data: event.data,
    at: Date.parse(event.metadata.occurredAt),
  }) as CaseEvent & { at: number };

export interface LoadedCase {
  readonly snapshot: CaseSnapshot | undefined;
  readonly events: readonly RecordedEvent[];
}

/** Reads a case's stream and rebuilds it. A stream the machine cannot replay is a fault. */
export const loadCase = async (store: EventStore, caseId: string): Promise<LoadedCase> => {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(caseStreamId(caseId))) events.push(event);
  const rebuilt = rebuildCase(events.map(toMachineEvent));
  if (!rebuilt.ok) {
    throw new Error(`case ${caseId} cannot be replayed: ${rebuilt.error.message}`);
  }
  return { snapshot: rebuilt.value, events };
};
