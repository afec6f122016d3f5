import type { Actor } from '../../domain/actor.js';
import type { CommandType } from '../../domain/case/caseCommands.js';
import type { CaseEvent, CaseEventOf } from '../../domain/case/stream/caseEvents.js';
import type { Tenant } from '../../domain/policy/tenant.js';
import type { RecordedEvent } from '../eventStore.js';
import type { SimulationStep } from '../simulation.js';

/** A case event as the what-if reads it: type, data and its instant (ISO 8601, UTC). */
export type OutcomeEvent = CaseEvent & { readonly at: string };

/**
 * A recorded case as the what-if replays it: what it was opened as, every event it recorded
 * (for the recorded outcome), and the external commands that made it: the customer's and the
 * agents' actions at their recorded instants, never the timers' checks.
 */
export interface RecordedCase {
  readonly caseId: string;
  readonly opened: CaseEventOf<'CaseOpened'>['data'];
  readonly openedAt: number;
  readonly tenant: Tenant;
  readonly events: readonly OutcomeEvent[];
  readonly commands: readonly SimulationStep[];
}

/**
 * The command an event was recorded by, with its input as the command gave it: each command's
 * first event says which it was (a `changeSeverity` may add a `ResponseDeadlineBreached`). An
 * event that only a timer's check records has no external command.
 */
const commandOf = (event: CaseEvent): { command: CommandType; input: unknown } | undefined => {
  switch (event.type) {
    case 'CaseOpened': {
      const { line, requestedSeverity, category, title, description, contact } = event.data;
      const { businessImpact, impact } = event.data;
      return {
        command: 'open',
        input: {
          line,
          severity: requestedSeverity,
          category,
          title,
          description,
          contact,
          ...(businessImpact !== undefined && { businessImpact }),
          ...(impact !== undefined && { impact }),
        },
      };
    }
    case 'CaseAssigned':
      return { command: 'assign', input: { agent: event.data.agent } };
    case 'AgentResponded':
      return { command: 'respond', input: { message: event.data.message } };
    case 'CustomerInfoRequested':
      return { command: 'requestInfo', input: { message: event.data.message } };
    case 'CustomerResponded':
      return { command: 'customerReply', input: { message: event.data.message } };
    case 'SeverityChanged':
      return {
        command: 'changeSeverity',
        input: { severity: event.data.to, reason: event.data.reason },
      };
    case 'NoteAdded':
      return { command: 'addNote', input: { text: event.data.text } };
    case 'CaseResolved':
      return {
        command: 'resolve',
        input: { reason: event.data.reason, summary: event.data.summary },
      };
    case 'CaseWithdrawn':
      return { command: 'withdraw', input: { reason: event.data.reason } };
    case 'CaseReopened':
      return { command: 'reopen', input: { reason: event.data.reason } };
    case 'SurveySubmitted': {
      const { rating, comment } = event.data;
      return {
        command: 'submitSurvey',
        input: { rating, ...(comment !== undefined && { comment }) },
      };
    }
    case 'ResponseDeadlineBreached':
    case 'SlaTargetAtRisk':
    case 'SlaTargetStarted':
    case 'SlaTargetPaused':
    case 'SlaTargetResumed':
    case 'SlaTargetStopped':
    case 'NextReplyDeadlineBreached':
    case 'PeriodicUpdateDeadlineBreached':
    case 'ResolutionDeadlineBreached':
    case 'SeverityDowngraded':
    case 'CaseClosed':
      return undefined;
  }
};

const actorOf = ({ role, id, tenant, tokenId }: RecordedEvent['metadata']['actor']): Actor =>
  ({
    role,
    id,
    ...(tenant !== undefined && { tenant }),
    ...(tokenId !== undefined && { tokenId }),
  }) as Actor;

/**
 * A case stream (upcast, in revision order) as the what-if replays it; undefined for a stream
 * that does not start with `CaseOpened`. Events of one command share its command id: the first
 * of them gives the command; commands by the `timer` actor are left out, the replay re-derives
 * them from the policy it runs under.
 */
export const recordedCase = (stream: readonly RecordedEvent[]): RecordedCase | undefined => {
  const first = stream[0];
  if (first === undefined || first.type !== 'CaseOpened') return undefined;
  const opened = first.data as CaseEventOf<'CaseOpened'>['data'];
  const events: OutcomeEvent[] = [];
  const commands: SimulationStep[] = [];
  let previousCommandId: string | undefined;
  for (const recorded of stream) {
    const event = { type: recorded.type, data: recorded.data } as CaseEvent;
    const at = recorded.metadata.occurredAt;
    events.push({ ...event, at });
    const { commandId, actor } = recorded.metadata;
    const sameCommand = commandId === previousCommandId;
    previousCommandId = commandId;
    if (sameCommand || actor.role === 'timer') continue;
    const command = commandOf(event);
    if (command === undefined) continue;
    commands.push({ at: Date.parse(at), case: opened.caseId, actor: actorOf(actor), ...command });
  }
  const { id, offering, advancedAgreement, region } = opened.tenant;
  return {
    caseId: opened.caseId,
    opened,
    openedAt: Date.parse(first.metadata.occurredAt),
    tenant: { id, offering, advancedAgreement, ...(region !== undefined && { region }) },
    events,
    commands,
  };
};
