import type { Actor } from '../actor.js';
import { canSeeCase, commandRoles } from './caseAccess.js';
import { commandTypes, type CommandType } from './caseCommands.js';
import { allowedStates } from './caseLifecycle.js';
import { casePrecondition } from './commandPreconditions.js';
import type { CaseSnapshot } from './rebuildCase.js';

/** Commands people issue on an existing case (not `open`, not the timers' checks). */
const caseCommands = commandTypes.filter((c) => c !== 'open' && !commandRoles[c].includes('timer'));

/**
 * The commands `actor` may issue on the case at `now`: those its role may issue, in a state
 * whose statechart accepts the event they record, and whose case preconditions hold (the
 * reopen window, one survey). Derived from the same rules the decider applies, so a command
 * listed here is refused only for its input (or a race).
 */
export const allowedCommands = (
  snapshot: CaseSnapshot,
  actor: Actor,
  now: number,
): CommandType[] => {
  if (!canSeeCase(actor, snapshot.context.tenant.id)) return [];
  return caseCommands.filter(
    (command) =>
      commandRoles[command].includes(actor.role) &&
      (allowedStates(command)?.includes(snapshot.state) ?? true) &&
      casePrecondition(command, snapshot.context, now) === undefined,
  );
};
