import type { CaseContext } from './stream/caseContext.js';
import type { Actor, ActorRole } from '../actor.js';
import type { CommandType } from './caseCommands.js';
import { forbidden, notFound, type DocketError } from '../docketError.js';

/** Who may issue each command (docs/api.md, _Who may do what_). */
export const commandRoles: Record<CommandType, readonly ActorRole[]> = {
  open: ['customer-admin'],
  assign: ['agent'],
  respond: ['agent'],
  requestInfo: ['agent'],
  customerReply: ['customer-admin'],
  changeSeverity: ['agent'],
  addNote: ['agent'],
  resolve: ['agent'],
  withdraw: ['customer-admin'],
  reopen: ['customer-admin'],
  submitSurvey: ['customer-admin'],
  checkResponseDeadline: ['timer'],
  checkCustomerNonresponse: ['timer'],
  checkAutoClose: ['timer'],
  checkSlaTargets: ['timer'],
};

export const adminOnlyMessage =
  'Only your organisation’s tenant admins can open or act on service requests. ' +
  'Ask your admin to contact support for you, or use the community forums.';

/** Whether the actor may see the case at all: customers see their own tenant's cases only. */
export const canSeeCase = (actor: Actor, tenantId: string): boolean =>
  actor.role === 'customer-admin' || actor.role === 'customer-user'
    ? actor.tenant === tenantId
    : true;

/**
 * The refusal for a role that may never do `what` (a route or a command), whatever the case:
 * a customer user is sent to their admin or the community forums, as the seed says.
 */
export const roleRefusal = (
  role: ActorRole,
  allowed: readonly ActorRole[],
  what: string,
): DocketError =>
  role === 'customer-user' && allowed.includes('customer-admin')
    ? forbidden(adminOnlyMessage)
    : forbidden(`${what} is for ${allowed.join(' or ')}, not ${role}`);

/**
 * Refuses a command the actor may not issue, in the one refusal order: a role that may never
 * issue it (403, whatever the case), then a case it may not see, reported as not found like a
 * case that does not exist, so case ids do not leak across tenants.
 */
export const authorize = (
  actor: Actor,
  command: CommandType,
  caseContext: CaseContext | undefined,
  caseId: string,
): DocketError | undefined => {
  const allowed = commandRoles[command];
  if (!allowed.includes(actor.role)) return roleRefusal(actor.role, allowed, command);
  if (caseContext !== undefined && !canSeeCase(actor, caseContext.tenant.id)) {
    return notFound(`case ${caseId} not found`);
  }
  return undefined;
};
