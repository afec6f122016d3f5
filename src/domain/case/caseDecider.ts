import type { CaseMachineEvent } from '../../../machines/caseMachineContext.js';
import type { Decider } from '../decider.js';
import { notFound } from '../docketError.js';
import { err, type Result } from '../result.js';
import { authorize } from './caseAccess.js';
import { parseCaseCommand, type CaseCommand, type UncheckedCaseCommand } from './caseCommands.js';
import { decideCase, type DecisionContext } from './decideCase.js';
import { evolveCase, type CaseState } from './rebuildCase.js';

/**
 * The case stream's decider: no case before `CaseOpened`; each event moves the case machine
 * (an event it refuses is a fault: the log holds it); a command records events or is refused
 * (decideCase.ts).
 */
export const caseDecider: Decider<CaseState, CaseCommand, CaseMachineEvent, DecisionContext> = {
  initialState: () => undefined,
  evolve: evolveCase,
  decide: decideCase,
};

/**
 * A command whose input is not parsed yet (a scenario step, a test), taken in the refusal
 * order: may the actor ever issue it, is there such a case for them to see, and only then is
 * its input valid. The HTTP API does the same with its routes' access checks and schemas.
 */
export const admitCaseCommand = (
  command: UncheckedCaseCommand,
  state: CaseState,
): Result<CaseCommand> => {
  const denied = authorize(command.actor, command.type, state?.context, command.caseId);
  if (denied !== undefined) return err(denied);
  if (state === undefined && command.type !== 'open') {
    return err(notFound(`case ${command.caseId} not found`));
  }
  return parseCaseCommand(command);
};
