import type { CaseMachineEvent } from '../../machines/caseMachineContext.js';
import { isCustomer, type Actor } from '../../src/domain/actor.js';
import { admitCaseCommand, caseDecider } from '../../src/domain/case/caseDecider.js';
import type { CaseEvent } from '../../src/domain/case/stream/caseEvents.js';
import type { CommandType } from '../../src/domain/case/caseCommands.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import { parseInstant } from '../../src/domain/instant.js';
import type { Policy } from '../../src/domain/policy/policy.js';
import type { CaseState } from '../../src/domain/case/rebuildCase.js';
import { outcomeOf, specFor } from './deciderSpec.js';
import type { Tenant } from '../../src/domain/policy/tenant.js';

/** A stored event in a spec: the event and when it occurred (ISO with offset). */
export type GivenEvent = CaseEvent & { at: string };

export interface When {
  type: CommandType;
  actor: Actor;
  input?: unknown;
  at: string;
  caseId?: string;
}

export const contoso: Tenant = { id: 'contoso', offering: '21vianet', advancedAgreement: true };
export const fabrikam: Tenant = { id: 'fabrikam', offering: '21vianet', advancedAgreement: false };
export const ada: Actor = { role: 'customer-admin', tenant: 'contoso', id: 'ada' };
export const cy: Actor = { role: 'customer-user', tenant: 'contoso', id: 'cy' };
export const bo: Actor = { role: 'customer-admin', tenant: 'fabrikam', id: 'bo' };
export const li: Actor = { role: 'agent', id: 'li' };
export const timer: Actor = { role: 'timer', id: 'scheduler' };
export const auditor: Actor = { role: 'auditor', id: 'audrey' };

const caseSpec = specFor(caseDecider);
const recorded = (events: readonly GivenEvent[]): CaseMachineEvent[] =>
  events.map((e) => ({ ...e, at: parseInstant(e.at) }));

/** The case these events make (a history the machine refuses throws). */
export const rebuild = (events: readonly GivenEvent[]): CaseState =>
  caseSpec.given(recorded(events)).state;

/**
 * Given these events, when this command, then these events (or this error): the case decider's
 * given/when/then. The command's input is taken as a scenario gives it, in the refusal order:
 * who may issue it and on which case before whether its input is valid.
 */
export const givenCase = (
  events: readonly GivenEvent[],
  options: { policy?: Policy; tenants?: readonly Tenant[] } = {},
) => ({
  when: (command: When) => {
    const given = caseSpec.given(recorded(events));
    const tenants = options.tenants ?? [contoso, fabrikam];
    const { actor } = command;
    const tenant = isCustomer(actor) ? tenants.find((t) => t.id === actor.tenant) : undefined;
    const admitted = admitCaseCommand(
      { type: command.type, caseId: command.caseId ?? 'c1', actor, input: command.input ?? {} },
      given.state,
    );
    if (!admitted.ok) return outcomeOf<CaseState, CaseMachineEvent>(admitted);
    return given.when(admitted.value, {
      now: parseInstant(command.at),
      policy: options.policy ?? defaultPolicy,
      tenant,
    });
  },
});

/** A CaseOpened for contoso on the 21vianet technical line (B unless told), computed by open. */
export const openedEvent = (
  overrides: {
    severity?: 'A' | 'B' | 'C';
    line?: string;
    category?: string;
    at?: string;
    actor?: Actor;
    tenant?: Tenant;
  } = {},
): GivenEvent => {
  const at = overrides.at ?? '2026-11-23T10:00:00+08:00';
  const severity = overrides.severity ?? 'B';
  const decided = givenCase([], { tenants: [overrides.tenant ?? contoso, fabrikam] }).when({
    type: 'open',
    actor: overrides.actor ?? ada,
    at,
    input: {
      line: overrides.line ?? 'technical',
      severity,
      category: overrides.category ?? 'exchange-autodiscover',
      title: 'Outlook cannot find the mailbox',
      contact: { name: 'Ada', email: 'ada@contoso.example', phone: '+86 21 5555 0100' },
      businessImpact: 'Mail is down for everyone.',
    },
  });
  if (!decided.result.ok) throw decided.result.error;
  const event = decided.result.value.events[0]!;
  return { ...event, at };
};
