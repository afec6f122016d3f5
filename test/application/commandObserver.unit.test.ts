import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { CaseCommandHandler } from '../../src/application/caseCommandHandler.js';
import type { CommandObservation, CommandObserver } from '../../src/application/commandObserver.js';
import type { EventStore } from '../../src/application/eventStore.js';
import { policyRegistry } from '../../src/application/policyRegistry.js';
import { timerDispatcher } from '../../src/application/timerDispatcher.js';
import { isTimerNotDue } from '../../src/application/timerBackend.js';
import { pendingTimers } from '../../src/domain/case/caseTimers.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import { ada, contoso, li } from '../specs/caseSpec.js';
import { parsed } from '../specs/caseCommands.js';

const openInput = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 'SSO fails',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};

const setup = (store: EventStore = new MemoryEventStore()) => {
  const seen: CommandObservation[] = [];
  const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
  const observer: CommandObserver = { observe: (o) => void seen.push(o) };
  const handler = new CaseCommandHandler({
    store,
    clock,
    policies: policyRegistry(defaultPolicy),
    tenant: (id) => Promise.resolve(id === contoso.id ? contoso : undefined),
    observer,
  });
  return { store, clock, handler, seen };
};

const open = (caseId: string, commandId?: string) =>
  parsed({ type: 'open', caseId, actor: ada, input: openInput, commandId });

describe('command observer', () => {
  it('is told of each command: its name, outcome, duration, events and the case after it', async () => {
    const { handler, seen } = setup();
    await handler.handle(open('c1'));
    expect(seen).toHaveLength(1);
    const [o] = seen;
    expect(o).toMatchObject({ command: 'open', outcome: 'ok' });
    expect(o!.seconds).toBeGreaterThanOrEqual(0);
    expect(o!.seconds).toBeLessThan(5);
    expect(o!.events.map((e) => e.type)).toEqual(['CaseOpened']);
    expect(o!.snapshot?.context.tenant.offering).toBe('21vianet');
  });

  it('sorts endings into ok, refused, conflict and error', async () => {
    const store = new MemoryEventStore();
    const { handler, seen } = setup(store);
    await handler.handle(open('c1'));
    // A customer may not respond: refused.
    await handler.handle(
      parsed({ type: 'respond', caseId: 'c1', actor: ada, input: { message: 'x' } }),
    );
    // The revision the caller saw is not the case's: conflict.
    await handler.handle(
      parsed({
        type: 'respond',
        caseId: 'c1',
        actor: li,
        input: { message: 'x' },
        expectedRevision: 7,
      }),
    );
    // The store fails: error, and the fault still reaches the caller.
    const failing = setup({
      ...store,
      readStream: () => {
        throw new Error('store down');
      },
      append: () => Promise.reject(new Error('store down')),
    } as unknown as EventStore);
    await expect(failing.handler.handle(open('c2'))).rejects.toThrow('store down');
    expect(seen.map((o) => [o.command, o.outcome])).toEqual([
      ['open', 'ok'],
      ['respond', 'refused'],
      ['respond', 'conflict'],
    ]);
    expect(failing.seen.map((o) => [o.command, o.outcome, o.events.length])).toEqual([
      ['open', 'error', 0],
    ]);
  });

  it('reports no events for a repeated command id, and ignores an observer that throws', async () => {
    const { handler, seen } = setup();
    await handler.handle(open('c1', 'cmd-1'));
    const again = await handler.handle(open('c1', 'cmd-1'));
    expect(again.ok && again.value.duplicate).toBe(true);
    expect(seen.map((o) => [o.outcome, o.events.length])).toEqual([
      ['ok', 1],
      ['ok', 0],
    ]);

    const throwing = new CaseCommandHandler({
      store: new MemoryEventStore(),
      clock: new VirtualClock(Date.parse('2026-11-23T02:00:00Z')),
      policies: policyRegistry(defaultPolicy),
      tenant: () => Promise.resolve(contoso),
      observer: {
        observe: () => {
          throw new Error('observer broke');
        },
      },
    });
    const opened = await throwing.handle(open('c9'));
    expect(opened.ok).toBe(true);
  });
});

describe('timer dispatcher observer', () => {
  it('is told how late each timer fired, once per timer, not for one that came early', async () => {
    const { handler, clock, seen } = setup();
    const opened = await handler.handle(open('c1'));
    if (!opened.ok) throw opened.error;
    const [deadline] = pendingTimers(opened.value.snapshot);
    const fired: Array<[string, number]> = [];
    const fire = timerDispatcher(handler, clock, undefined, {
      onFired: (timer, latenessMs) => void fired.push([timer.kind, latenessMs]),
    });

    await expect(fire(deadline!)).rejects.toSatisfy(isTimerNotDue);
    clock.advanceTo(deadline!.dueAt + 1_500);
    await fire(deadline!);
    await fire(deadline!); // delivered twice: the check is a duplicate, not a second firing
    expect(fired).toEqual([['response-deadline', 1_500]]);
    expect(seen.at(-1)).toMatchObject({ command: 'checkResponseDeadline', outcome: 'ok' });
    expect(seen.at(-2)?.events.map((e) => e.type)).toEqual(['ResponseDeadlineBreached']);
  });
});
