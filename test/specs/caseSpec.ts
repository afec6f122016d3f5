import { expect } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import type { CaseEvent } from '../../src/domain/case/stream/caseEvents.js';
import type { CommandType } from '../../src/domain/case/caseCommands.js';
import { decideCase, type Decision } from '../../src/domain/case/decideCase.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import type { ErrorCode } from '../../src/domain/docketError.js';
import { parseInstant } from '../../src/domain/instant.js';
import type { Policy } from '../../src/domain/policy/policy.js';
import { rebuildCase, type CaseSnapshot } from '../../src/domain/case/rebuildCase.js';
import type { Result } from '../../src/domain/result.js';
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

export const rebuild = (events: readonly GivenEvent[]): CaseSnapshot | undefined => {
  const rebuilt = rebuildCase(events.map((e) => ({ ...e, at: parseInstant(e.at) }) as never));
  if (!rebuilt.ok) throw rebuilt.error;
  return rebuilt.value;
};

/**
 * Given these events, when this command, then these events (or this error): the
 * given/when/then helper for the case decider.
 */
export const givenCase = (
  events: readonly GivenEvent[],
  options: { policy?: Policy; tenants?: readonly Tenant[] } = {},
) => ({
  when: (command: When) => {
    const snapshot = rebuild(events);
    const tenants = options.tenants ?? [contoso, fabrikam];
    const tenant =
      command.actor.role === 'customer-admin' || command.actor.role === 'customer-user'
        ? tenants.find((t) => t.id === (command.actor as { tenant: string }).tenant)
        : undefined;
    const result: Result<Decision> = decideCase(
      snapshot,
      {
        type: command.type,
        caseId: command.caseId ?? 'c1',
        actor: command.actor,
        input: command.input ?? {},
      },
      { now: parseInstant(command.at), policy: options.policy ?? defaultPolicy, tenant },
    );
    return {
      result,
      /** The decided events match (each given as a partial: type and data fields to check). */
      then: (
        expected: ReadonlyArray<{ type: CaseEvent['type']; data?: Record<string, unknown> }>,
      ) => {
        if (!result.ok)
          throw new Error(
            `expected events, got error ${result.error.code}: ${result.error.message}`,
          );
        expect(result.value.events.map((e) => e.type)).toEqual(expected.map((e) => e.type));
        expected.forEach((e, i) => {
          if (e.data !== undefined) expect(result.value.events[i]?.data).toMatchObject(e.data);
        });
        return result.value;
      },
      thenRefused: (code: ErrorCode, message?: RegExp) => {
        if (result.ok)
          throw new Error(
            `expected ${code}, got events ${result.value.events.map((e) => e.type).join(', ')}`,
          );
        expect(result.error.code).toBe(code);
        if (message !== undefined) expect(result.error.message).toMatch(message);
        return result.error;
      },
    };
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
