import type { RecordedEvent } from '../src/domain/recordedEvent.js';
import type { CaseEventOf, CaseEventType } from '../src/domain/case/stream/caseEvents.js';

/** The data of a recorded case event of type K (the caller has checked `event.type`). */
export const eventData = <K extends CaseEventType>(event: RecordedEvent): CaseEventOf<K>['data'] =>
  event.data as CaseEventOf<K>['data'];
