import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { CaseCommandHandler } from '../../src/application/caseCommandHandler.js';
import type { EventStore, RecordedEvent } from '../../src/application/eventStore.js';
import { policyRegistry } from '../../src/application/policyRegistry.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import { ada, contoso, fabrikam, li, timer } from '../specs/caseSpec.js';
import { parsed } from '../specs/caseCommands.js';

const openInput = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 'SSO fails',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};

const setup = (store: EventStore = new MemoryEventStore()) => {
  const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
  const handler = new CaseCommandHandler({
    store,
    clock,
    policies: policyRegistry(defaultPolicy),
    tenant: (id) => Promise.resolve([contoso, fabrikam].find((t) => t.id === id)),
  });
  return { store, clock, handler };
};

const streamOf = async (store: EventStore, caseId: string) => {
  const out: RecordedEvent[] = [];
  for await (const e of store.readStream(`case-${caseId}`)) out.push(e);
  return out;
};

describe('case command handler', () => {
  it('opens and responds, recording the envelope on every event', async () => {
    const { store, clock, handler } = setup();
    const opened = await handler.handle(
      parsed({
        type: 'open',
        caseId: 'c1',
        actor: ada,
        input: openInput,
        correlationId: 'corr-1',
      }),
    );
    expect(opened.ok && opened.value.snapshot.state).toBe('opened');
    clock.advanceTo(Date.parse('2026-11-23T03:00:00Z'));
    const responded = await handler.handle(
      parsed({
        type: 'respond',
        caseId: 'c1',
        actor: li,
        input: { message: 'Looking' },
      }),
    );
    expect(responded.ok && responded.value.snapshot).toMatchObject({
      state: 'responded',
      revision: 1,
    });
    const events = await streamOf(store, 'c1');
    expect(events.map((e) => e.type)).toEqual(['CaseOpened', 'AgentResponded']);
    expect(events[0]!.metadata).toMatchObject({
      correlationId: 'corr-1',
      actor: ada,
      occurredAt: '2026-11-23T02:00:00.000Z',
      caseId: 'c1',
      policyVersion: 'seed-2026.2',
      machineVersion: 2,
    });
    expect(events[1]!.metadata.occurredAt).toBe('2026-11-23T03:00:00.000Z');
  });

  it('a retried command id returns the first result and appends nothing', async () => {
    const { store, clock, handler } = setup();
    await handler.handle(parsed({ type: 'open', caseId: 'c1', actor: ada, input: openInput }));
    const first = await handler.handle(
      parsed({
        type: 'resolve',
        caseId: 'c1',
        actor: li,
        input: { reason: 'fixed', summary: 'x' },
        commandId: 'k1',
      }),
    );
    clock.advanceTo(Date.parse('2026-11-23T05:00:00Z'));
    const retry = await handler.handle(
      parsed({
        type: 'resolve',
        caseId: 'c1',
        actor: li,
        input: { reason: 'fixed', summary: 'x' },
        commandId: 'k1',
      }),
    );
    expect(retry.ok && retry.value.duplicate).toBe(true);
    expect(retry.ok && retry.value.snapshot.revision).toBe(
      first.ok && first.value.snapshot.revision,
    );
    const ids = (r: typeof first) =>
      r.ok && r.value.events.map((e) => [e.revision, e.type, e.metadata.commandId]);
    expect(ids(retry)).toEqual(ids(first));
    expect(ids(first)).toEqual([[1, 'CaseResolved', 'k1']]);
    expect((await streamOf(store, 'c1')).length).toBe(2);
    const stolen = await handler.handle(
      parsed({
        type: 'resolve',
        caseId: 'c1',
        actor: { role: 'agent', id: 'mallory' },
        input: { reason: 'fixed', summary: 'x' },
        commandId: 'k1',
      }),
    );
    expect(!stolen.ok && stolen.error.code).toBe('idempotency-key-reused');
    // Another token with the same name and role is another actor.
    const twin = await handler.handle(
      parsed({
        type: 'resolve',
        caseId: 'c1',
        actor: { ...li, tokenId: 'another-token' },
        input: { reason: 'fixed', summary: 'x' },
        commandId: 'k1',
      }),
    );
    expect(!twin.ok && twin.error.code).toBe('idempotency-key-reused');
  });

  it('an If-Match revision that is not the current one is a conflict carrying the current revision', async () => {
    const { store, handler } = setup();
    await handler.handle(parsed({ type: 'open', caseId: 'c1', actor: ada, input: openInput }));
    await handler.handle(
      parsed({ type: 'addNote', caseId: 'c1', actor: li, input: { text: 'a' } }),
    );
    const stale = await handler.handle(
      parsed({
        type: 'respond',
        caseId: 'c1',
        actor: li,
        input: { message: 'x' },
        expectedRevision: 0,
      }),
    );
    expect(!stale.ok && stale.error).toMatchObject({ code: 'conflict', currentRevision: 1 });
    expect((await streamOf(store, 'c1')).length).toBe(2);
    const fresh = await handler.handle(
      parsed({
        type: 'respond',
        caseId: 'c1',
        actor: li,
        input: { message: 'x' },
        expectedRevision: 1,
      }),
    );
    expect(fresh.ok).toBe(true);
  });

  it('concurrent writers without If-Match are retried on the fresh state: nothing lost', async () => {
    // Two handlers on one store: two processes, whose commands meet only in the store.
    const { store, handler } = setup();
    const other = setup(store).handler;
    await handler.handle(parsed({ type: 'open', caseId: 'c1', actor: ada, input: openInput }));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? handler : other).handle(
          parsed({
            type: 'addNote',
            caseId: 'c1',
            actor: li,
            input: { text: `note ${i}` },
          }),
        ),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const events = await streamOf(store, 'c1');
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('commands on one case queue inside one handler: none needs a second attempt', async () => {
    const store = new MemoryEventStore();
    const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
    const handler = new CaseCommandHandler({
      store,
      clock,
      policies: policyRegistry(defaultPolicy),
      tenant: (id) => Promise.resolve([contoso, fabrikam].find((t) => t.id === id)),
      maxAttempts: 1,
    });
    await handler.handle(parsed({ type: 'open', caseId: 'c1', actor: ada, input: openInput }));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        handler.handle(
          parsed({ type: 'addNote', caseId: 'c1', actor: li, input: { text: `note ${i}` } }),
        ),
      ),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const texts = (await streamOf(store, 'c1'))
      .slice(1)
      .map((e) => (e.data as { text: string }).text);
    // Queued in the order they arrived.
    expect(texts).toEqual(Array.from({ length: 50 }, (_, i) => `note ${i}`));
  });

  it('the decision is re-made on the fresh state: a second concurrent resolve is refused', async () => {
    const { handler } = setup();
    await handler.handle(parsed({ type: 'open', caseId: 'c1', actor: ada, input: openInput }));
    const [a, b] = await Promise.all([
      handler.handle(
        parsed({
          type: 'resolve',
          caseId: 'c1',
          actor: li,
          input: { reason: 'fixed', summary: 'a' },
        }),
      ),
      handler.handle(
        parsed({
          type: 'resolve',
          caseId: 'c1',
          actor: li,
          input: { reason: 'fixed', summary: 'b' },
        }),
      ),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const refused = a.ok ? b : a;
    expect(!refused.ok && refused.error.code).toBe('invalid-transition');
  });

  it('refusals append nothing; a check with nothing to do appends nothing', async () => {
    const { store, handler } = setup();
    expect(
      (
        await handler.handle(
          parsed({
            type: 'respond',
            caseId: 'nope',
            actor: li,
            input: { message: 'x' },
          }),
        )
      ).ok,
    ).toBe(false);
    await handler.handle(parsed({ type: 'open', caseId: 'c1', actor: ada, input: openInput }));
    const check = await handler.handle(
      parsed({
        type: 'checkResponseDeadline',
        caseId: 'c1',
        actor: timer,
        input: {},
      }),
    );
    expect(check.ok && check.value.events).toEqual([]);
    const bad = await handler.handle(
      parsed({
        type: 'open',
        caseId: 'c2',
        actor: ada,
        input: { ...openInput, category: 'renewal' },
      }),
    );
    expect(!bad.ok && bad.error.code).toBe('validation');
    // Input its schema refuses is refused where the command comes in, before the handler.
    expect(() =>
      parsed({ type: 'open', caseId: 'c2', actor: ada, input: { ...openInput, severity: 'Z' } }),
    ).toThrow(expect.objectContaining({ code: 'validation' }));
    expect(await streamOf(store, 'c2')).toEqual([]);
    expect((await streamOf(store, 'c1')).length).toBe(1);
  });

  it('two processes on one store: a stale cached snapshot never decides a command', async () => {
    const { store, clock, handler: a } = setup();
    const b = new CaseCommandHandler({
      store,
      clock,
      policies: policyRegistry(defaultPolicy),
      tenant: (id) => Promise.resolve([contoso, fabrikam].find((t) => t.id === id)),
    });
    await a.handle(parsed({ type: 'open', caseId: 'c1', actor: ada, input: openInput }));
    // B resolves behind A's back; A's cache still says `opened`, where respond is allowed.
    await b.handle(
      parsed({
        type: 'resolve',
        caseId: 'c1',
        actor: li,
        input: { reason: 'fixed', summary: 's' },
      }),
    );
    const respond = await a.handle(
      parsed({
        type: 'respond',
        caseId: 'c1',
        actor: li,
        input: { message: 'm' },
      }),
    );
    expect(!respond.ok && respond.error.code).toBe('invalid-transition');
    // B reopens; A's cache now says `resolved`, where respond is refused: A must look again.
    await b.handle(
      parsed({ type: 'reopen', caseId: 'c1', actor: ada, input: { reason: 'again' } }),
    );
    const again = await a.handle(
      parsed({
        type: 'respond',
        caseId: 'c1',
        actor: li,
        input: { message: 'm' },
      }),
    );
    expect(again.ok && again.value.snapshot).toMatchObject({ state: 'responded', revision: 3 });
    expect((await streamOf(store, 'c1')).map((e) => e.type)).toEqual([
      'CaseOpened',
      'CaseResolved',
      'CaseReopened',
      'AgentResponded',
    ]);
  });

  it('a cached case still records the instant of the decision and a retried command once', async () => {
    const { store, clock, handler } = setup();
    await handler.handle(parsed({ type: 'open', caseId: 'c1', actor: ada, input: openInput }));
    clock.advanceTo(Date.parse('2026-11-23T04:30:00Z'));
    const note = () =>
      handler.handle(
        parsed({
          type: 'addNote',
          caseId: 'c1',
          actor: li,
          input: { text: 'n' },
          commandId: 'n1',
        }),
      );
    await note();
    const retry = await note();
    expect(retry.ok && retry.value.duplicate).toBe(true);
    const events = await streamOf(store, 'c1');
    expect(events.map((e) => [e.type, e.metadata.occurredAt])).toEqual([
      ['CaseOpened', '2026-11-23T02:00:00.000Z'],
      ['NoteAdded', '2026-11-23T04:30:00.000Z'],
    ]);
  });

  it('rejects case ids that cannot name a stream', async () => {
    const { handler } = setup();
    const result = await handler.handle(
      parsed({
        type: 'open',
        caseId: 'a b/c',
        actor: ada,
        input: openInput,
      }),
    );
    expect(!result.ok && result.error.code).toBe('validation');
  });
});
