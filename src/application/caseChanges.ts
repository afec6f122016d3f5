import { isCustomer, type Actor } from '../domain/actor.js';
import { canSeeCase } from '../domain/case/caseAccess.js';
import { caseIdOf, isCaseStream } from '../domain/case/stream/caseStreamId.js';
import type { CaseTenancy } from './caseTenancy.js';
import type { RecordedEvent } from './eventStore.js';

/** One change of a case, as the live feed tells it: which case, what happened, where in the log. */
export interface CaseChange {
  readonly caseId: string;
  readonly tenant: string;
  /** The event type (`AgentResponded`, …): enough to know what to fetch again, nothing more. */
  readonly type: string;
  readonly revision: number;
  readonly occurredAt: string;
  /** The event's log position, as a decimal string (the feed's event id). */
  readonly position: string;
}

/** Events customers do not see (agents' internal notes), here as in a case's history. */
const internalEvents = new Set(['NoteAdded']);

/**
 * Whether `actor` may be told of `event`, and what it is told: a case event of a case it may
 * see (customers: their tenant's only), internal notes left out for customers. Anything else
 * in the log (directory, policy, other streams) is nobody's business here.
 */
export const caseChangeFor = async (
  actor: Actor,
  event: RecordedEvent,
  cases: CaseTenancy,
): Promise<CaseChange | undefined> => {
  if (!isCaseStream(event.streamId)) return undefined;
  if (isCustomer(actor) && internalEvents.has(event.type)) return undefined;
  const caseId = caseIdOf(event.streamId);
  let tenant: string | undefined;
  if (event.type === 'CaseOpened') {
    tenant = (event.data as { tenant: { id: string } }).tenant.id;
    cases.remember(caseId, tenant);
  } else {
    tenant = await cases.tenantOf(caseId);
  }
  if (tenant === undefined || !canSeeCase(actor, tenant)) return undefined;
  return {
    caseId,
    tenant,
    type: event.type,
    revision: event.revision,
    occurredAt: event.metadata.occurredAt,
    position: event.position.toString(),
  };
};
