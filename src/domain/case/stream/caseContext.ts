import type { BusinessDuration } from '../../policy/businessDuration.js';
import type { DeadlineWarning } from '../../policy/calendarHorizon.js';
import type { ResolutionReason } from './caseEvents.js';
import type { Severity } from '../../policy/severity.js';
import type { AtRiskMark, TargetClocks } from './targetClock.js';

/** Everything the case machine knows about a case, rebuilt from its events. Instants are epoch ms. */
export interface CaseContext {
  readonly caseId: string;
  readonly tenant: {
    readonly id: string;
    readonly offering: string;
    readonly advancedAgreement: boolean;
    readonly region?: string | undefined;
  };
  readonly line: string;
  readonly category: string;
  readonly title: string;
  readonly policyVersion: string;
  readonly requestedSeverity: Severity;
  readonly severity: Severity;
  readonly openedAt: number;
  readonly responseTarget: BusinessDuration;
  readonly responseCalendar: string;
  readonly responseDueAt: number;
  /**
   * The response target's at-risk instant and threshold (absent: the policy sets none), and
   * whether its warning was recorded (once per clock).
   */
  readonly responseAtRisk?: AtRiskMark | undefined;
  /** The clocks of the further targets the policy sets (resolution, next reply, periodic update). */
  readonly clocks: TargetClocks;
  /** The initial-response clock recorded its (single) breach. */
  readonly breached: boolean;
  readonly firstResponseAt?: number | undefined;
  readonly respondedWithinTarget?: boolean | undefined;
  readonly assignee?: string | undefined;
  /**
   * Start of the current waiting period (`awaitingCustomer`, `downgraded`): the latest
   * `CustomerInfoRequested` or `SeverityDowngraded`, whichever is later.
   */
  readonly awaitingSince?: number | undefined;
  readonly nonresponseDueAt?: number | undefined;
  readonly resolvedAt?: number | undefined;
  readonly resolution?: ResolutionReason | undefined;
  readonly autoCloseAt?: number | undefined;
  readonly closedAt?: number | undefined;
  readonly surveySubmitted: boolean;
  readonly reopenCount: number;
  readonly downgradeCount: number;
  /**
   * Warnings recorded with the deadlines the case holds now: the response due instant (kept
   * after the first response: the within-target verdict rests on it) and, while waiting, the
   * nonresponse deadline. Each replaces the warnings of its kind when it is set again.
   */
  readonly warnings: readonly DeadlineWarning[];
  /** Time of the last event applied. */
  readonly updatedAt: number;
  /** Stream revision of the last event applied (0 = `CaseOpened`). */
  readonly revision: number;
  /** Revision of the event that set each running deadline: part of its timer's identity. */
  readonly deadlineSetAt: {
    readonly response: number;
    readonly nonresponse?: number | undefined;
    readonly autoClose?: number | undefined;
  };
}
