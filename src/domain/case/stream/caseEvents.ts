import { z } from 'zod';
import { businessDurationSchema } from '../../policy/businessDuration.js';
import { deadlineWarningSchema } from '../../policy/calendarHorizon.js';
import { impactSchema } from '../../policy/impactAssessment.js';
import { severitySchema } from '../../policy/severity.js';
import { atRiskShareSchema, furtherTargets, slaTargetSchema } from '../../policy/slaTarget.js';

const instant = z.iso.datetime();
const text = (max: number) => z.string().trim().min(1).max(max);

/** Whom the provider calls back about a case: a name and an e-mail address or a phone number. */
export const contactSchema = z
  .strictObject({
    name: text(200),
    email: z.email().optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ()./-]{5,40}$/, 'a phone number: digits, spaces, + ( ) . / -')
      .optional(),
  })
  .refine((c) => c.email !== undefined || c.phone !== undefined, {
    message: 'a contact needs an e-mail or a phone number',
    path: ['email'],
  });

export const resolutionReasons = [
  'fixed',
  'advice-given',
  'out-of-scope-third-party',
  'out-of-scope-customer-network',
  'duplicate',
  'customer-nonresponse',
  'withdrawn',
] as const;
export const resolutionReasonSchema = z.enum(resolutionReasons);
export type ResolutionReason = z.infer<typeof resolutionReasonSchema>;

/** How the first customer-visible response measured against the initial-response target. */
const firstResponseSchema = z.strictObject({
  withinTarget: z.boolean(),
  elapsedMs: z.number().int().nonnegative(),
  businessElapsedMs: z.number().int().nonnegative(),
});

/**
 * When the response target becomes at risk: `share` of its business time used, at `at`.
 * Present only when the policy sets a threshold for the case's severity.
 */
const responseAtRisk = z.strictObject({ share: atRiskShareSchema, at: instant }).optional();

const furtherTarget = z.enum(furtherTargets);
const businessMs = z.number().int().nonnegative();

/** Present only when a deadline the event sets crossed its calendar's horizon. */
const warnings = z.array(deadlineWarningSchema).optional();

/**
 * The data of every case event, current schema version. Due instants computed from the policy
 * are recorded in the events themselves, so a case keeps the deadlines of the policy it was
 * opened under and replays never need today's policy.
 */
export const caseEventDataSchemas = {
  CaseOpened: z.strictObject({
    caseId: z.string(),
    tenant: z.strictObject({
      id: z.string(),
      offering: z.string(),
      advancedAgreement: z.boolean(),
      region: z.string().optional(),
    }),
    line: z.string(),
    category: z.string(),
    title: z.string(),
    description: z.string(),
    contact: contactSchema,
    businessImpact: z.string().optional(),
    impact: impactSchema.optional(),
    proposedSeverity: severitySchema.optional(),
    requestedSeverity: severitySchema,
    severity: severitySchema,
    severityReason: z.enum(['line-maximum', 'no-advanced-agreement', 'not-offered']).optional(),
    severityExplanation: z.string().optional(),
    policyVersion: z.string(),
    responseTarget: businessDurationSchema,
    responseCalendar: z.string(),
    responseDueAt: instant,
    responseAtRisk,
    warnings,
  }),
  CaseAssigned: z.strictObject({ agent: z.string() }),
  AgentResponded: z.strictObject({
    agent: z.string(),
    message: z.string(),
    firstResponse: firstResponseSchema.optional(),
  }),
  CustomerInfoRequested: z.strictObject({
    agent: z.string(),
    message: z.string(),
    nonresponseDueAt: instant,
    firstResponse: firstResponseSchema.optional(),
    warnings,
  }),
  CustomerResponded: z.strictObject({ message: z.string() }),
  ResponseDeadlineBreached: z.strictObject({ dueAt: instant }),
  SeverityChanged: z.strictObject({
    from: severitySchema,
    to: severitySchema,
    reason: z.string(),
    responseDueAt: instant.optional(),
    responseAtRisk,
    nonresponseDueAt: instant.optional(),
    warnings,
  }),
  SeverityDowngraded: z.strictObject({
    from: severitySchema,
    to: severitySchema,
    reason: z.literal('customer-nonresponse'),
    nonresponseDueAt: instant,
    warnings,
  }),
  NoteAdded: z.strictObject({ agent: z.string(), text: z.string() }),
  CaseResolved: z.strictObject({
    reason: resolutionReasonSchema,
    summary: z.string(),
    autoCloseAt: instant,
  }),
  CaseWithdrawn: z.strictObject({ reason: z.string(), autoCloseAt: instant }),
  CaseReopened: z.strictObject({ reason: z.string() }),
  CaseClosed: z.strictObject({}),
  SurveySubmitted: z.strictObject({
    rating: z.number().int().min(1).max(5),
    comment: z.string().optional(),
  }),
  /**
   * A running target's clock used `threshold` of its business time, with `dueAt` still ahead:
   * recorded once per clock, by the timers' `checkSlaTargets`.
   */
  SlaTargetAtRisk: z.strictObject({
    target: slaTargetSchema,
    threshold: atRiskShareSchema,
    dueAt: instant,
  }),
  /**
   * A further target's clock started (a new clock: opening for resolution, a customer reply for
   * next reply, an agent's customer-visible message for periodic update), with its business
   * time (`budgetMs` on `calendar`), due instant and at-risk instant.
   */
  SlaTargetStarted: z.strictObject({
    target: furtherTarget,
    calendar: z.string(),
    budgetMs: businessMs,
    dueAt: instant,
    atRisk: responseAtRisk,
  }),
  /** The clock paused (the case awaits the customer) with `remainingMs` of business time left. */
  SlaTargetPaused: z.strictObject({ target: furtherTarget, remainingMs: businessMs }),
  /** The clock runs again (the customer answered; a reopened case) with new instants. */
  SlaTargetResumed: z.strictObject({
    target: furtherTarget,
    dueAt: instant,
    atRisk: responseAtRisk,
  }),
  /** The clock stopped: the target was met (`met`), or had breached; what was left is kept. */
  SlaTargetStopped: z.strictObject({
    target: furtherTarget,
    met: z.boolean(),
    remainingMs: businessMs,
  }),
  /** The next-reply clock's due instant passed with no reply: once per clock. */
  NextReplyDeadlineBreached: z.strictObject({ dueAt: instant }),
  /** The periodic-update clock's due instant passed with no update: once per clock. */
  PeriodicUpdateDeadlineBreached: z.strictObject({ dueAt: instant }),
  /** The resolution clock's due instant passed with the case unresolved: once per clock. */
  ResolutionDeadlineBreached: z.strictObject({ dueAt: instant }),
} as const;

export type CaseEventType = keyof typeof caseEventDataSchemas;
export const caseEventTypes = Object.keys(caseEventDataSchemas) as CaseEventType[];

/** One union type per stream: `{ type, data }`. */
export type CaseEvent = {
  [K in CaseEventType]: { type: K; data: z.infer<(typeof caseEventDataSchemas)[K]> };
}[CaseEventType];
export type CaseEventOf<K extends CaseEventType> = Extract<CaseEvent, { type: K }>;

/**
 * The current schema version of each event type; older versions are upcast on read
 * (`src/application/caseEventUpcasters.ts`). A version is bumped when data an older event
 * lacks must be supplied by an upcaster: CaseResolved v2 added `autoCloseAt`. An optional
 * field that an older event simply does not have is not a new version: the `warnings` of
 * CaseOpened, CustomerInfoRequested, SeverityChanged and SeverityDowngraded (absent: none
 * recorded; events written before horizons existed were never checked), and the
 * `responseAtRisk` of CaseOpened and SeverityChanged (absent: the policy set no threshold).
 */
export const currentSchemaVersion: Record<CaseEventType, number> = {
  ...(Object.fromEntries(caseEventTypes.map((t) => [t, 1])) as Record<CaseEventType, number>),
  CaseResolved: 2,
};

export const isCaseEventType = (value: string): value is CaseEventType =>
  Object.hasOwn(caseEventDataSchemas, value);
