import type { CaseContext } from '../../machines/caseContext.js';
import type { Actor, ActorRole } from './actor.js';
import type { CommandType } from './caseInput.js';
import { forbidden, notFound, type DocketError } from './docketError.js';

/** Who may issue each command (DESIGN.md §4). */
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
 * Refuses a command the actor may not issue. Another tenant's case is reported as not found,
 * so case ids do not leak across tenants.
 */
export const authorize = (
  actor: Actor,
  command: CommandType,
  caseContext: CaseContext | undefined,
  caseId: string,
): DocketError | undefined => {
  if (caseContext !== undefined && !canSeeCase(actor, caseContext.tenant.id)) {
    return notFound(`case ${caseId} not found`);
  }
  const allowed = commandRoles[command];
  if (allowed.includes(actor.role)) return undefined;
  if (actor.role === 'customer-user' && allowed.includes('customer-admin')) {
    return forbidden(adminOnlyMessage);
  }
  return forbidden(`${command} is for ${allowed.join(' or ')}, not ${actor.role}`);
};
