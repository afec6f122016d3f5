import type { Severity } from '../../domain/policy/severity.js';
import type { OutcomeEvent } from './recordedCase.js';

/** How a case's first customer-visible response measured against its target. */
export interface FirstResponse {
  readonly at: string;
  readonly withinTarget: boolean;
  readonly businessElapsedMs: number;
}

/**
 * What the SLA made of a case, read from its events (recorded or replayed): the severity it was
 * opened at, the first response, the breach, each downgrade for nonresponse, a resolution for
 * nonresponse and the auto-close, each with its instant (ISO 8601, UTC).
 */
export interface CaseOutcome {
  readonly severity: Severity;
  readonly firstResponse?: FirstResponse;
  readonly breachedAt?: string;
  readonly downgradedAt: readonly string[];
  readonly nonresponseResolvedAt?: string;
  readonly autoClosedAt?: string;
}

/** The outcome of a case from its events, in order; undefined before its `CaseOpened`. */
export const caseOutcome = (events: Iterable<OutcomeEvent>): CaseOutcome | undefined => {
  let severity: Severity | undefined;
  let firstResponse: FirstResponse | undefined;
  let breachedAt: string | undefined;
  const downgradedAt: string[] = [];
  let nonresponseResolvedAt: string | undefined;
  let autoClosedAt: string | undefined;
  for (const event of events) {
    switch (event.type) {
      case 'CaseOpened':
        severity = event.data.severity;
        break;
      case 'AgentResponded':
      case 'CustomerInfoRequested': {
        const measured = event.data.firstResponse;
        if (measured !== undefined && firstResponse === undefined) {
          const { withinTarget, businessElapsedMs } = measured;
          firstResponse = { at: event.at, withinTarget, businessElapsedMs };
        }
        break;
      }
      case 'ResponseDeadlineBreached':
        breachedAt ??= event.at;
        break;
      case 'SeverityDowngraded':
        downgradedAt.push(event.at);
        break;
      case 'CaseResolved':
        if (event.data.reason === 'customer-nonresponse') nonresponseResolvedAt ??= event.at;
        break;
      case 'CaseClosed':
        autoClosedAt ??= event.at;
        break;
      case 'CaseAssigned':
      case 'CustomerResponded':
      case 'SeverityChanged':
      case 'NoteAdded':
      case 'CaseWithdrawn':
      case 'CaseReopened':
      case 'SurveySubmitted':
      case 'SlaTargetAtRisk':
      case 'SlaTargetStarted':
      case 'SlaTargetPaused':
      case 'SlaTargetResumed':
      case 'SlaTargetStopped':
      case 'NextReplyDeadlineBreached':
      case 'PeriodicUpdateDeadlineBreached':
      case 'ResolutionDeadlineBreached':
        break;
    }
  }
  if (severity === undefined) return undefined;
  return {
    severity,
    ...(firstResponse && { firstResponse }),
    ...(breachedAt !== undefined && { breachedAt }),
    downgradedAt,
    ...(nonresponseResolvedAt !== undefined && { nonresponseResolvedAt }),
    ...(autoClosedAt !== undefined && { autoClosedAt }),
  };
};
