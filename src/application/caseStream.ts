import type { CaseMachineEvent } from '../../machines/caseMachineContext.js';
import type { CaseEvent } from '../domain/case/stream/caseEvents.js';
import { replayCase, type CaseSnapshot } from '../domain/case/rebuildCase.js';
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

/**
 * Reads a case's stream (its first `before` events, if given) and replays it. A stream the
 * machine cannot replay is a fault (`case-not-replayable`).
 */
export const loadCase = async (
  store: EventStore,
  caseId: string,
  { before }: { readonly before?: number } = {},
): Promise<LoadedCase> => {
  const events: RecordedEvent[] = [];
  const options = before === undefined ? undefined : { maxCount: before };
  for await (const event of store.readStream(caseStreamId(caseId), options)) events.push(event);
  return { snapshot: replayCase(events.map(toMachineEvent)), events };
};
