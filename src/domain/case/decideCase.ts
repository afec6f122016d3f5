import type { CaseContext } from './stream/caseContext.js';
import type { Actor } from '../actor.js';
import { businessTimeBetween } from '../policy/businessCalendar.js';
import { caseDeadline } from '../policy/calendarHorizon.js';
import { authorize } from './caseAccess.js';
import { allowedStates, type CaseStateName } from './caseLifecycle.js';
import type { CaseEvent } from './stream/caseEvents.js';
import { commandInputSchemas, type CommandInput, type CommandType } from './caseCommands.js';
import { decideOpen } from './decideOpen.js';
import {
  DocketError,
  invalidTransition,
  notFound,
  severityNotOffered,
  validationError,
} from '../docketError.js';
import { formatInstant } from '../instant.js';
import { autoCloseDueAt, type Policy } from '../policy/policy.js';
import { policyCalendar } from '../policy/policyCalendars.js';
import { applyCaseEvent, type CaseSnapshot } from './rebuildCase.js';
import { err, ok, type Result } from '../result.js';
import { lowerSeverity, type Severity } from '../policy/severity.js';
import { lookupSeverityRule } from '../policy/severityRule.js';
import type { Tenant } from '../policy/tenant.js';
import { toFieldIssues } from '../zodIssues.js';

export interface CaseCommand {
  readonly type: CommandType;
  readonly caseId: string;
  readonly actor: Actor;
  readonly input: unknown;
}

export interface DecisionContext {
  /** The instant the command is decided at (epoch ms), from the injected clock. */
  readonly now: number;
  /** The policy in force: new cases are opened under it. */
  readonly policy: Policy;
  /** Earlier policy versions, for cases opened under them. */
  readonly policyVersion?: (version: string) => Policy | undefined;
  /** The actor's tenant (needed to open a case). */
  readonly tenant?: Tenant | undefined;
}

/** The events a command produces and the case as it is once they are recorded. */
export interface Decision {
  readonly events: CaseEvent[];
  readonly next: CaseSnapshot | undefined;
}

/**
 * Decides which events a command produces on a case (DESIGN.md §4): validate the input,
 * authorise the actor, check the lifecycle, compute deadlines from the case's policy. A check
 * command whose condition no longer holds produces no events. Pure: `ctx.now` is the only time.
 */
export const decideCase = (
  snapshot: CaseSnapshot | undefined,
  command: CaseCommand,
  ctx: DecisionContext,
): Result<Decision> => {
  // The refusal order: who may issue it, on which case, and only then what it says.
  const denied = authorize(command.actor, command.type, snapshot?.context, command.caseId);
  if (denied !== undefined) return err(denied);
  if (snapshot === undefined && command.type !== 'open') {
    return err(notFound(`case ${command.caseId} not found`));
  }
  const parsed = commandInputSchemas[command.type].safeParse(command.input ?? {});
  if (!parsed.success) {
    return err(validationError(`invalid ${command.type} input`, toFieldIssues(parsed.error)));
  }

  if (command.type === 'open') {
    if (snapshot !== undefined)
      return err(invalidTransition(`case ${command.caseId} already exists`));
    const opened = decideOpen(
      command.caseId,
      command.actor,
      parsed.data as CommandInput<'open'>,
      ctx.tenant,
      ctx.policy,
      ctx.now,
    );
    return opened.ok ? verifiedByMachine(undefined, opened.value, ctx.now) : opened;
  }
  if (snapshot === undefined) return err(notFound(`case ${command.caseId} not found`));

  const states = allowedStates(command.type);
  if (states !== undefined && !states.includes(snapshot.state)) {
    return err(
      invalidTransition(
        `cannot ${command.type}: case ${command.caseId} is ${snapshot.state} (${command.type} is allowed when ${states.join(', ')})`,
      ),
    );
  }
  const policy =
    snapshot.context.policyVersion === ctx.policy.version
      ? ctx.policy
      : ctx.policyVersion?.(snapshot.context.policyVersion);
  if (policy === undefined) {
    throw new Error(
      `policy version ${snapshot.context.policyVersion} of case ${command.caseId} is not loaded`,
    );
  }
  try {
    const events = decideOnCase(snapshot, command, parsed.data, policy, ctx.now);
    return verifiedByMachine(snapshot, events, ctx.now);
  } catch (error) {
    if (error instanceof DocketError) return err(error);
    throw error;
  }
};

const decideOnCase = (
  { state, context }: CaseSnapshot,
  command: CaseCommand,
  input: unknown,
  policy: Policy,
  now: number,
): CaseEvent[] => {
  const agent = command.actor.id;
  const at = formatInstant;
  switch (command.type) {
    case 'open':
      throw new Error('open is decided by decideOpen');
    case 'assign':
      return [{ type: 'CaseAssigned', data: { agent: (input as CommandInput<'assign'>).agent } }];
    case 'respond': {
      const { message } = input as CommandInput<'respond'>;
      const firstResponse =
        state === 'opened' ? measureFirstResponse(context, policy, now) : undefined;
      return [
        {
          type: 'AgentResponded',
          data: { agent, message, ...(firstResponse && { firstResponse }) },
        },
      ];
    }
    case 'requestInfo': {
      const { message } = input as CommandInput<'requestInfo'>;
      const firstResponse =
        state === 'opened' ? measureFirstResponse(context, policy, now) : undefined;
      const nonresponse = nonresponseDue(context, context.severity, policy, now);
      return [
        {
          type: 'CustomerInfoRequested',
          data: {
            agent,
            message,
            nonresponseDueAt: at(nonresponse.dueAt),
            ...(firstResponse && { firstResponse }),
            ...(nonresponse.warnings && { warnings: nonresponse.warnings }),
          },
        },
      ];
    }
    case 'customerReply':
      return [
        {
          type: 'CustomerResponded',
          data: { message: (input as CommandInput<'customerReply'>).message },
        },
      ];
    case 'changeSeverity':
      return changeSeverity(state, context, input as CommandInput<'changeSeverity'>, policy, now);
    case 'addNote':
      return [
        { type: 'NoteAdded', data: { agent, text: (input as CommandInput<'addNote'>).text } },
      ];
    case 'resolve': {
      const { reason, summary } = input as CommandInput<'resolve'>;
      return [
        {
          type: 'CaseResolved',
          data: { reason, summary, autoCloseAt: at(autoCloseDueAt(policy, now)) },
        },
      ];
    }
    case 'withdraw': {
      const { reason } = input as CommandInput<'withdraw'>;
      return [
        {
          type: 'CaseWithdrawn',
          data: { reason, autoCloseAt: at(autoCloseDueAt(policy, now)) },
        },
      ];
    }
    case 'reopen':
      if (context.autoCloseAt !== undefined && now >= context.autoCloseAt) {
        throw invalidTransition(
          `the reopen window of case ${context.caseId} ended at ${at(context.autoCloseAt)}`,
        );
      }
      return [{ type: 'CaseReopened', data: { reason: (input as CommandInput<'reopen'>).reason } }];
    case 'submitSurvey': {
      if (context.surveySubmitted) {
        throw invalidTransition(`a survey was already submitted for case ${context.caseId}`);
      }
      const { rating, comment } = input as CommandInput<'submitSurvey'>;
      return [
        { type: 'SurveySubmitted', data: { rating, ...(comment !== undefined && { comment }) } },
      ];
    }
    case 'checkResponseDeadline':
      return state === 'opened' && !context.breached && now >= context.responseDueAt
        ? [{ type: 'ResponseDeadlineBreached', data: { dueAt: at(context.responseDueAt) } }]
        : [];
    case 'checkCustomerNonresponse':
      return checkNonresponse(state, context, policy, now);
    case 'checkAutoClose':
      return state === 'resolved' && context.autoCloseAt !== undefined && now >= context.autoCloseAt
        ? [{ type: 'CaseClosed', data: {} }]
        : [];
  }
};

const ruleFor = (context: CaseContext, severity: Severity, policy: Policy) => {
  const rule = lookupSeverityRule(policy, {
    offering: context.tenant.offering,
    line: context.line,
    severity,
    region: context.tenant.region,
  });
  if (!rule.ok) throw rule.error;
  return rule.value;
};

const nonresponseDue = (context: CaseContext, severity: Severity, policy: Policy, from: number) => {
  const rule = ruleFor(context, severity, policy);
  return caseDeadline(policy, rule.calendarId, 'customer-nonresponse', {
    fromMs: from,
    duration: rule.nonresponse,
  });
};

const measureFirstResponse = (context: CaseContext, policy: Policy, now: number) => ({
  withinTarget: !context.breached && now <= context.responseDueAt,
  elapsedMs: Math.max(0, now - context.openedAt),
  businessElapsedMs: businessTimeBetween(
    policyCalendar(policy, context.responseCalendar),
    context.openedAt,
    now,
  ),
});

const changeSeverity = (
  state: CaseStateName,
  context: CaseContext,
  { severity, reason }: CommandInput<'changeSeverity'>,
  policy: Policy,
  now: number,
): CaseEvent[] => {
  if (severity === context.severity) {
    throw validationError(`case ${context.caseId} is already severity ${severity}`, [
      { path: 'severity', message: 'the same as the current severity' },
    ]);
  }
  const rule = ruleFor(context, severity, policy);
  if (rule.requiresAdvancedAgreement && !context.tenant.advancedAgreement) {
    throw severityNotOffered(
      `severity ${severity} needs an advanced online service agreement, which tenant ${context.tenant.id} does not have`,
    );
  }
  const events: CaseEvent[] = [];
  if (state === 'opened') {
    const { dueAt, warnings } = caseDeadline(policy, rule.calendarId, 'response-deadline', {
      fromMs: context.openedAt,
      duration: rule.responseTarget,
    });
    events.push({
      type: 'SeverityChanged',
      data: {
        from: context.severity,
        to: severity,
        reason,
        responseDueAt: formatInstant(dueAt),
        ...(warnings && { warnings }),
      },
    });
    // A recorded breach is a fact; raising severity past the new due instant records it at once.
    if (!context.breached && now >= dueAt) {
      events.push({ type: 'ResponseDeadlineBreached', data: { dueAt: formatInstant(dueAt) } });
    }
  } else if (
    context.awaitingSince !== undefined &&
    (state === 'awaitingCustomer' || state === 'downgraded')
  ) {
    // From the start of the current waiting period (the latest request or downgrade): silence
    // that already caused a downgrade is not counted again. A deadline already past fires at once.
    const { dueAt, warnings } = nonresponseDue(context, severity, policy, context.awaitingSince);
    events.push({
      type: 'SeverityChanged',
      data: {
        from: context.severity,
        to: severity,
        reason,
        nonresponseDueAt: formatInstant(dueAt),
        ...(warnings && { warnings }),
      },
    });
  } else {
    events.push({
      type: 'SeverityChanged',
      data: { from: context.severity, to: severity, reason },
    });
  }
  return events;
};

const checkNonresponse = (
  state: CaseStateName,
  context: CaseContext,
  policy: Policy,
  now: number,
): CaseEvent[] => {
  if (state !== 'awaitingCustomer' && state !== 'downgraded') return [];
  if (context.nonresponseDueAt === undefined || now < context.nonresponseDueAt) return [];
  const lower = lowerSeverity(context.severity);
  const lowerOffered =
    lower !== undefined &&
    lookupSeverityRule(policy, {
      offering: context.tenant.offering,
      line: context.line,
      severity: lower,
      region: context.tenant.region,
    }).ok;
  if (lower !== undefined && lowerOffered) {
    const { dueAt, warnings } = nonresponseDue(context, lower, policy, now);
    return [
      {
        type: 'SeverityDowngraded',
        data: {
          from: context.severity,
          to: lower,
          reason: 'customer-nonresponse',
          nonresponseDueAt: formatInstant(dueAt),
          ...(warnings && { warnings }),
        },
      },
    ];
  }
  return [
    {
      type: 'CaseResolved',
      data: {
        reason: 'customer-nonresponse',
        summary: `Resolved automatically: no customer response by ${formatInstant(context.nonresponseDueAt)}.`,
        autoCloseAt: formatInstant(autoCloseDueAt(policy, now)),
      },
    },
  ];
};

/** The machine has the last word: every decided event must be one it accepts, in order. */
const verifiedByMachine = (
  snapshot: CaseSnapshot | undefined,
  events: CaseEvent[],
  now: number,
): Result<Decision> => {
  let next = snapshot;
  for (const event of events) {
    const applied = applyCaseEvent(next, { ...event, at: now });
    if (!applied.ok) return applied;
    next = applied.value;
  }
  return ok({ events, next });
};
