import { z } from 'zod';
import { horizonMessage } from '../domain/policy/calendarHorizon.js';
import { deadlineWarningSchema } from '../domain/policy/calendarHorizon.js';
import { pendingTimers, timerKinds } from '../domain/case/caseTimers.js';
import { formatInstant } from '../domain/instant.js';
import type { CaseSnapshot } from '../domain/case/rebuildCase.js';
import type { CommittedEvent } from '../application/caseCommandHandler.js';

const instant = z.iso.datetime();
const maybe = (ms: number | undefined) => (ms === undefined ? null : formatInstant(ms));

export const caseViewSchema = z
  .object({
    id: z.string(),
    revision: z.number().int().describe('send it back in If-Match to act only on this revision'),
    state: z.string(),
    tenant: z.string(),
    offering: z.string(),
    line: z.string(),
    category: z.string(),
    title: z.string(),
    severity: z.enum(['A', 'B', 'C']),
    requestedSeverity: z.enum(['A', 'B', 'C']),
    assignee: z.string().nullable(),
    policyVersion: z.string(),
    openedAt: instant,
    response: z.object({
      dueAt: instant,
      breached: z.boolean(),
      firstResponseAt: instant.nullable(),
      withinTarget: z.boolean().nullable(),
    }),
    deadlines: z
      .array(z.object({ kind: z.enum(timerKinds), dueAt: instant }))
      .describe('the deadlines running now, each enforced by a timer'),
    warnings: z
      .array(deadlineWarningSchema.extend({ message: z.string() }))
      .describe(
        "deadlines of the case computed past their calendar's known holidays (weekly hours only)",
      ),
    resolvedAt: instant.nullable(),
    resolution: z.string().nullable(),
    closedAt: instant.nullable(),
    reopenCount: z.number().int(),
    downgradeCount: z.number().int(),
    surveySubmitted: z.boolean(),
  })
  .meta({ id: 'Case' });
export type CaseView = z.infer<typeof caseViewSchema>;

/** What the API shows of a case: its state, severity, due instants and revision. */
export const caseView = (snapshot: CaseSnapshot): CaseView => {
  const c = snapshot.context;
  return {
    id: c.caseId,
    revision: snapshot.revision,
    state: snapshot.state,
    tenant: c.tenant.id,
    offering: c.tenant.offering,
    line: c.line,
    category: c.category,
    title: c.title,
    severity: c.severity,
    requestedSeverity: c.requestedSeverity,
    assignee: c.assignee ?? null,
    policyVersion: c.policyVersion,
    openedAt: formatInstant(c.openedAt),
    response: {
      dueAt: formatInstant(c.responseDueAt),
      breached: c.breached,
      firstResponseAt: maybe(c.firstResponseAt),
      withinTarget: c.respondedWithinTarget ?? null,
    },
    deadlines: pendingTimers(snapshot).map((t) => ({
      kind: t.kind,
      dueAt: formatInstant(t.dueAt),
    })),
    warnings: c.warnings.map((w) => ({
      ...w,
      message: horizonMessage(w.calendar, w.knownThrough, w.dueAt),
    })),
    resolvedAt: maybe(c.resolvedAt),
    resolution: c.resolution ?? null,
    closedAt: maybe(c.closedAt),
    reopenCount: c.reopenCount,
    downgradeCount: c.downgradeCount,
    surveySubmitted: c.surveySubmitted,
  };
};

export const eventViewSchema = z
  .object({
    revision: z.number().int(),
    type: z.string(),
    schemaVersion: z.number().int(),
    occurredAt: instant,
    actor: z.object({ role: z.string(), id: z.string(), tenant: z.string().optional() }),
    commandId: z.string(),
    data: z.unknown(),
  })
  .meta({ id: 'CaseEvent' });
export type EventView = z.infer<typeof eventViewSchema>;

export const eventView = (event: CommittedEvent): EventView => ({
  revision: event.revision,
  type: event.type,
  schemaVersion: event.schemaVersion,
  occurredAt: event.metadata.occurredAt,
  actor: event.metadata.actor,
  commandId: event.metadata.commandId,
  data: event.data,
});
