import type { CaseMachineEvent } from '../../../machines/caseMachineContext.js';
import type { Decision } from '../decider.js';
import { DocketFault, FaultCode, invalidTransition, notFound } from '../docketError.js';
import { formatInstant } from '../instant.js';
import { autoCloseDueAt, type Policy } from '../policy/policy.js';
import type { Tenant } from '../policy/tenant.js';
import { err, ok, type Result } from '../result.js';
import { authorize } from './caseAccess.js';
import type { CaseCommand } from './caseCommands.js';
import { measureFirstResponse, nonresponseDue } from './caseDeadlines.js';
import { casePrecondition } from './commandPreconditions.js';
import { checkSlaTargets } from './checkSlaTargets.js';
import { targetClockEvents } from './targetClockEvents.js';
import { allowedStates } from './caseLifecycle.js';
import { decideOpen } from './decideOpen.js';
import { changeSeverity, checkNonresponse } from './decideSeverity.js';
import { applyCaseEvent, type CaseSnapshot, type CaseState } from './rebuildCase.js';
import type { CaseEvent } from './stream/caseEvents.js';

/** What a case decision may read besides the case: the instant, the policies, the tenant. */
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

/** The events a case command records (each with the instant it occurs) and the case after them. */
export type CaseDecision = Decision<CaseState, CaseMachineEvent>;

/**
 * Decides which events a command records on a case, in the refusal order (docs/api.md): may
 * the actor ever issue it, is there such a case for them to see, is it allowed in the case's
 * state; then the command's own rules, with deadlines from the policy the case was opened
 * under. The input was parsed where the command came in. A check whose condition no longer
 * holds records nothing. Pure: `ctx.now` is the only time.
 */
export const decideCase = (
  command: CaseCommand,
  snapshot: CaseState,
  ctx: DecisionContext,
): Result<CaseDecision> => {
  const denied = authorize(command.actor, command.type, snapshot?.context, command.caseId);
  if (denied !== undefined) return err(denied);
  if (command.type === 'open') {
    if (snapshot !== undefined) {
      return err(invalidTransition(`case ${command.caseId} already exists`));
    }
    const opened = decideOpen(command, ctx.tenant, ctx.policy, ctx.now);
    return opened.ok ? verifiedByMachine(undefined, opened.value, ctx.policy, ctx.now) : opened;
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
  const policy = policyOf(snapshot, ctx);
  const decided = decideOnCase(snapshot, command, policy, ctx.now);
  return decided.ok ? verifiedByMachine(snapshot, decided.value, policy, ctx.now) : decided;
};

/** The policy the case was opened under; one the registry does not hold is a fault. */
const policyOf = ({ context }: CaseSnapshot, ctx: DecisionContext): Policy => {
  const policy =
    context.policyVersion === ctx.policy.version
      ? ctx.policy
      : ctx.policyVersion?.(context.policyVersion);
  if (policy === undefined) {
    throw new DocketFault(
      FaultCode.policyVersionMissing,
      `policy version ${context.policyVersion} of case ${context.caseId} is not loaded`,
    );
  }
  return policy;
};

/** The events of a command on an existing case, before the machine checks them. */
const decideOnCase = (
  snapshot: CaseSnapshot,
  command: Exclude<CaseCommand, { type: 'open' }>,
  policy: Policy,
  now: number,
): Result<CaseEvent[]> => {
  const { state, context } = snapshot;
  const agent = command.actor.id;
  const at = formatInstant;
  switch (command.type) {
    case 'assign':
      return ok([{ type: 'CaseAssigned', data: { agent: command.input.agent } }]);
    case 'respond': {
      const firstResponse =
        state === 'opened' ? measureFirstResponse(context, policy, now) : undefined;
      const { message } = command.input;
      return ok([
        {
          type: 'AgentResponded',
          data: { agent, message, ...(firstResponse && { firstResponse }) },
        },
      ]);
    }
    case 'requestInfo': {
      const firstResponse =
        state === 'opened' ? measureFirstResponse(context, policy, now) : undefined;
      const nonresponse = nonresponseDue(context, context.severity, policy, now);
      if (!nonresponse.ok) return nonresponse;
      const { dueAt, warnings } = nonresponse.value;
      return ok([
        {
          type: 'CustomerInfoRequested',
          data: {
            agent,
            message: command.input.message,
            nonresponseDueAt: at(dueAt),
            ...(firstResponse && { firstResponse }),
            ...(warnings && { warnings }),
          },
        },
      ]);
    }
    case 'customerReply':
      return ok([{ type: 'CustomerResponded', data: { message: command.input.message } }]);
    case 'changeSeverity':
      return changeSeverity(snapshot, command.input, policy, now);
    case 'addNote':
      return ok([{ type: 'NoteAdded', data: { agent, text: command.input.text } }]);
    case 'resolve': {
      const { reason, summary } = command.input;
      const autoCloseAt = at(autoCloseDueAt(policy, now));
      return ok([{ type: 'CaseResolved', data: { reason, summary, autoCloseAt } }]);
    }
    case 'withdraw': {
      const autoCloseAt = at(autoCloseDueAt(policy, now));
      return ok([{ type: 'CaseWithdrawn', data: { reason: command.input.reason, autoCloseAt } }]);
    }
    case 'reopen': {
      const refused = casePrecondition('reopen', context, now);
      if (refused !== undefined) return err(refused);
      return ok([{ type: 'CaseReopened', data: { reason: command.input.reason } }]);
    }
    case 'submitSurvey': {
      const refused = casePrecondition('submitSurvey', context, now);
      if (refused !== undefined) return err(refused);
      const { rating, comment } = command.input;
      return ok([
        { type: 'SurveySubmitted', data: { rating, ...(comment !== undefined && { comment }) } },
      ]);
    }
    case 'checkResponseDeadline':
      return ok(
        state === 'opened' && !context.breached && now >= context.responseDueAt
          ? [{ type: 'ResponseDeadlineBreached', data: { dueAt: at(context.responseDueAt) } }]
          : [],
      );
    case 'checkCustomerNonresponse':
      return checkNonresponse(snapshot, policy, now);
    case 'checkAutoClose':
      return ok(
        state === 'resolved' && context.autoCloseAt !== undefined && now >= context.autoCloseAt
          ? [{ type: 'CaseClosed', data: {} }]
          : [],
      );
    case 'checkSlaTargets':
      return ok(checkSlaTargets(snapshot, now));
  }
};

/**
 * The machine has the last word: every decided event must be one it accepts, in order. The
 * further targets' clocks then record what those events did to them (targetClockEvents.ts).
 */
const verifiedByMachine = (
  snapshot: CaseState,
  decided: readonly CaseEvent[],
  policy: Policy,
  now: number,
): Result<CaseDecision> => {
  let next = snapshot;
  const events: CaseMachineEvent[] = [];
  const apply = (batch: readonly CaseEvent[]): Result<undefined> => {
    for (const event of batch) {
      const stamped = { ...event, at: now };
      const applied = applyCaseEvent(next, stamped);
      if (!applied.ok) return applied;
      next = applied.value;
      events.push(stamped);
    }
    return ok(undefined);
  };
  const applied = apply(decided);
  if (!applied.ok) return applied;
  if (next !== undefined && decided.length > 0) {
    const clocks = apply(targetClockEvents(next, decided, policy, now));
    if (!clocks.ok) return clocks;
  }
  return ok({ events, next });
};
