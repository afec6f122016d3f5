/**
 * Who is told of a case event by e-mail: the case's contact, the tenant's customer admins, the
 * support agents. Anyone of them without an e-mail address is not told.
 */
export type MailAudience = 'case-contact' | 'tenant-admins' | 'agents';

const customers: readonly MailAudience[] = ['case-contact', 'tenant-admins'];
const agents: readonly MailAudience[] = ['agents'];

/**
 * The one place that maps a case event to who is told: one line per event type. An event type
 * not listed sends no e-mail (`NoteAdded`, agents' internal notes, is never listed).
 */
const whoIsTold: Readonly<Record<string, (data: unknown) => readonly MailAudience[]>> = {
  CaseOpened: (data) =>
    (data as { severity?: string }).severity === 'A' ? [...customers, ...agents] : customers,
  AgentResponded: () => customers,
  CustomerInfoRequested: () => customers,
  SeverityDowngraded: () => customers,
  CaseResolved: () => customers,
  CaseClosed: () => customers,
  ResponseDeadlineBreached: () => agents,
  SlaTargetAtRisk: () => agents,
  ResolutionDeadlineBreached: () => agents,
  NextReplyDeadlineBreached: () => agents,
  PeriodicUpdateDeadlineBreached: () => agents,
};

/** Who is told of `event` (none: no e-mail). Pure. */
export const mailAudiences = (event: {
  readonly type: string;
  readonly data: unknown;
}): readonly MailAudience[] =>
  Object.hasOwn(whoIsTold, event.type) ? (whoIsTold[event.type]?.(event.data) ?? []) : [];
