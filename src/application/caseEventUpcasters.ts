import { DAY_MS } from '../domain/instant.js';
import type { Upcaster } from './upcasting.js';

/**
 * CaseResolved v1 (before the auto-close instant was recorded in the event) → v2: the
 * instant is the resolution's occurred-at + 7 days, the only auto-close period v1 knew.
 */
const caseResolvedV1: Upcaster = {
  type: 'CaseResolved',
  fromVersion: 1,
  upcast: (data, event) => ({
    ...(data as object),
    autoCloseAt: new Date(Date.parse(event.metadata.occurredAt) + 7 * DAY_MS).toISOString(),
  }),
};

/** Every upcaster of case events, oldest first. */
export const caseEventUpcasters: readonly Upcaster[] = [caseResolvedV1];
