import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { MemoryTimerSchedule } from '../../src/adapters/memoryTimerSchedule.js';
import type { DocketServices } from '../../src/application/docketServices.js';
import type { EventStore, RecordedEvent } from '../../src/application/eventStore.js';
import { InProcessTimerBackend } from '../../src/adapters/inProcessTimerBackend.js';
import type { TimerBackend, TimerChanges } from '../../src/application/timerBackend.js';
import { timerCommandId, timerDispatcher } from '../../src/application/timerDispatcher.js';
import { TimerScheduler } from '../../src/application/timerScheduler.js';
import type { TimerSchedule } from '../../src/application/timerSchedule.js';
import { timerActor } from '../../src/domain/actor.js';
import { VirtualClock } from '../../src/domain/clock.js';
import type { Policy } from '../../src/domain/policy/policy.js';
import { contosoTenant, servicesWith } from '../specs/servicesSpec.js';
import { targetsPolicy } from '../specs/slaPolicies.js';
import { parsed } from '../specs/caseCommands.js';

const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
const li = { role: 'agent', id: 'li' } as const;
const openInput = (severity: 'A' | 'B' | 'C') => ({
  line: 'technical',
  severity,
  category: 'sso',
  title: 't',
  businessImpact: 'all mail down',
  contact: { name: 'Ada', email: 'ada@contoso.example', phone: '+86 21 5555 0100' },
});
/** Monday 2026-11-23 10:00 Beijing: B is due Tuesday 10:00, C Thursday 10:00 (09:00–24:00 days). */
const MONDAY_10 = Date.parse('2026-11-23T02:00:00Z');
const B_DUE = Date.parse('2026-11-24T02:00:00Z');

interface World {
  store: EventStore;
  clock: VirtualClock;
  services: DocketServices;
  schedule: TimerSchedule;
  backend: InProcessTimerBackend;
  scheduler: TimerScheduler;
  /** Lets the scheduler catch up with the log, fires what is due, and waits for the result. */
  settle(): Promise<void>;
  events(caseId: string): Promise<RecordedEvent[]>;
}

const world = async (
  given: {
    store?: EventStore;
    schedule?: TimerSchedule;
    clock?: VirtualClock;
    policy?: Policy;
  } = {},
  backendOf: (b: InProcessTimerBackend) => TimerBackend = (b) => b,
): Promise<World> => {
  const store = given.store ?? new MemoryEventStore();
  const clock = given.clock ?? new VirtualClock(MONDAY_10);
  const services =
    given.policy === undefined
      ? await servicesWith(store, clock)
      : await servicesWith(store, clock, [contosoTenant], given.policy);
  const schedule = given.schedule ?? new MemoryTimerSchedule();
  const backend = new InProcessTimerBackend({ clock });
  const scheduler = new TimerScheduler({
    store: services.store,
    schedule,
    backend: backendOf(backend),
    fire: timerDispatcher(services.commands, clock),
    batchMs: 1,
  });
  const head = async () => {
    let last = 0n;
    for await (const e of store.readAll({ direction: 'backwards', maxCount: 1 })) last = e.position;
    return last;
  };
  const settle = async () => {
    for (let round = 0; round < 20; round++) {
      const before = await head();
      await scheduler.caughtUp(before);
      backend.wake();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 5));
      if ((await head()) === before) return;
    }
  };
  const events = async (caseId: string) => {
    const out: RecordedEvent[] = [];
    for await (const e of store.readStream(`case-${caseId}`)) out.push(e);
    return out;
  };
  return { store, clock, services, schedule, backend, scheduler, settle, events };
};

const open = async (w: World, caseId: string, severity: 'A' | 'B' | 'C' = 'B') => {
  const opened = await w.services.commands.handle(
    parsed({
      type: 'open',
      caseId,
      actor: ada,
      input: openInput(severity),
    }),
  );
  if (!opened.ok) throw opened.error;
};

describe('timer scheduler (in-process backend, virtual clock)', () => {
  it('schedules and fires the SLA target timers a policy sets: at risk, then the breach, once each', async () => {
    const w = await world({ policy: targetsPolicy });
    await w.scheduler.start();
    await open(w, 'c1');
    await w.settle();
    // Resolution: 3 business days (Thu 10:00 Beijing), at risk at 50 % (Tue 17:30).
    const atRisk = Date.parse('2026-11-24T09:30:00Z');
    const due = Date.parse('2026-11-26T02:00:00Z');
    expect(w.scheduler.pending().map((t) => [t.kind, t.dueAt])).toEqual([
      ['response-deadline', B_DUE],
      ['resolution-deadline', due],
      ['resolution-at-risk', atRisk],
    ]);
    for (const at of [B_DUE, atRisk, due, due + 3_600_000]) {
      w.clock.advanceTo(at);
      await w.settle();
    }
    const events = await w.events('c1');
    expect(events.map((e) => [e.type, e.metadata.occurredAt])).toEqual([
      ['CaseOpened', '2026-11-23T02:00:00.000Z'],
      ['SlaTargetStarted', '2026-11-23T02:00:00.000Z'],
      ['ResponseDeadlineBreached', '2026-11-24T02:00:00.000Z'],
      ['SlaTargetAtRisk', '2026-11-24T09:30:00.000Z'],
      ['ResolutionDeadlineBreached', '2026-11-26T02:00:00.000Z'],
    ]);
    expect(w.scheduler.pending()).toEqual([]);
    await w.scheduler.close();
  });

  it('schedules the response deadline on open and drops it on the first response', async () => {
    const w = await world();
    await w.scheduler.start();
    await open(w, 'c1');
    await w.settle();
    expect(w.scheduler.pending()).toEqual([
      { caseId: 'c1', kind: 'response-deadline', dueAt: B_DUE, revision: 0 },
    ]);
    expect(await w.backend.held()).toEqual(w.scheduler.pending());
    expect((await w.schedule.load()).timers).toEqual(w.scheduler.pending());
    await w.services.commands.handle(
      parsed({
        type: 'respond',
        caseId: 'c1',
        actor: li,
        input: { message: 'hi' },
      }),
    );
    await w.settle();
    expect(w.scheduler.pending()).toEqual([]);
    expect(await w.backend.held()).toEqual([]);
    await w.scheduler.close();
  });

  it('fires at the due instant, never before, and records one breach', async () => {
    const w = await world();
    await w.scheduler.start();
    await open(w, 'c1');
    await w.settle();
    w.clock.advanceTo(B_DUE - 1);
    await w.settle();
    expect((await w.events('c1')).map((e) => e.type)).toEqual(['CaseOpened']);
    w.clock.advanceTo(B_DUE);
    await w.settle();
    const events = await w.events('c1');
    expect(events.map((e) => e.type)).toEqual(['CaseOpened', 'ResponseDeadlineBreached']);
    expect(events[1]!.metadata).toMatchObject({
      actor: timerActor,
      commandId: timerCommandId({
        caseId: 'c1',
        kind: 'response-deadline',
        revision: 0,
        dueAt: B_DUE,
      }),
      occurredAt: new Date(B_DUE).toISOString(),
    });
    expect(w.scheduler.pending()).toEqual([]);
    await w.scheduler.close();
  });

  it('follows the lifecycle: nonresponse downgrades B → C, then resolves at C; resolved cases close', async () => {
    const w = await world();
    await w.scheduler.start();
    await open(w, 'c1');
    await w.services.commands.handle(
      parsed({
        type: 'requestInfo',
        caseId: 'c1',
        actor: li,
        input: { message: 'logs?' },
      }),
    );
    await w.settle();
    expect(w.scheduler.pending().map((t) => t.kind)).toEqual(['customer-nonresponse']);
    for (let day = 1; day <= 30; day++) {
      w.clock.advanceTo(MONDAY_10 + day * 86_400_000);
      await w.settle();
    }
    expect((await w.events('c1')).map((e) => e.type)).toEqual([
      'CaseOpened',
      'CustomerInfoRequested',
      'SeverityDowngraded',
      'CaseResolved',
      'CaseClosed',
    ]);
    expect(w.scheduler.pending()).toEqual([]);
    await w.scheduler.close();
  });

  it('a restart resumes from the checkpoint and fires at once what fell due while it was down', async () => {
    const store = new MemoryEventStore();
    const schedule = new MemoryTimerSchedule();
    const clock = new VirtualClock(MONDAY_10);
    const first = await world({ store, schedule, clock });
    await first.scheduler.start();
    await open(first, 'early', 'B');
    clock.advanceTo(MONDAY_10 + 1_000);
    await open(first, 'later', 'B');
    await first.settle();
    await first.scheduler.close();
    const { checkpoint } = await schedule.load();
    expect(checkpoint).toBeDefined();

    clock.advanceTo(B_DUE + 3_600_000); // down for a day
    const second = await world({ store, schedule, clock });
    const started = await second.scheduler.start();
    expect(started.pending).toBe(2);
    await second.settle();
    const breaches = async (id: string) =>
      (await second.events(id)).filter((e) => e.type === 'ResponseDeadlineBreached');
    expect(await breaches('early')).toHaveLength(1);
    expect(await breaches('later')).toHaveLength(1);
    // Each fired at the restart, in due order: `early` first.
    const [a] = await breaches('early');
    const [b] = await breaches('later');
    expect(a!.position < b!.position).toBe(true);
    await second.scheduler.close();
  });

  it('a backend that missed changes (crash between schedule and backend) is repaired on start', async () => {
    const store = new MemoryEventStore();
    const schedule = new MemoryTimerSchedule();
    const clock = new VirtualClock(MONDAY_10);
    const lossy = await world({ store, schedule, clock }, (b) => ({
      start: (fire) => b.start(fire),
      apply: (_changes: TimerChanges) => Promise.reject(new Error('backend down')),
      reconcile: (t) => b.reconcile(t),
      held: () => b.held(),
      close: () => b.close(),
    }));
    await lossy.scheduler.start();
    await open(lossy, 'c1');
    await lossy.settle();
    expect(lossy.scheduler.pending()).toHaveLength(1);
    expect(await lossy.backend.held()).toEqual([]); // the backend never heard of it
    await lossy.scheduler.close();

    const healed = await world({ store, schedule, clock });
    await healed.scheduler.start();
    expect(await healed.backend.held()).toHaveLength(1);
    await healed.scheduler.close();
  });

  it('a scheduler that starts behind the log removes nothing the newer events set', async () => {
    const store = new MemoryEventStore();
    const clock = new VirtualClock(MONDAY_10);
    const leader = await world({ store, clock });
    await leader.scheduler.start();
    await open(leader, 'c1');
    await leader.settle();
    const stale = new MemoryTimerSchedule(); // what a new leader finds: nothing recorded yet
    await leader.scheduler.close();
    // The backend another leader filled (BullMQ holds it across processes): c1's deadline.
    const removed: string[] = [];
    const next = await world({ store, schedule: stale, clock }, (b) => ({
      start: (fire) => b.start(fire),
      apply: (changes) => {
        removed.push(...changes.remove.map((t) => t.caseId));
        return b.apply(changes);
      },
      reconcile: async (timers) => {
        const outcome = await b.reconcile(timers);
        if (outcome.removed > 0) removed.push(`${outcome.removed} by reconcile`);
        return outcome;
      },
      held: () => b.held(),
      close: () => b.close(),
    }));
    await next.backend.apply({ add: leader.scheduler.pending(), remove: [] });
    await next.scheduler.start();
    expect(removed).toEqual([]);
    expect((await next.backend.held()).map((t) => t.caseId)).toEqual(['c1']);
    await next.scheduler.close();
  });

  it('a stale or repeated firing records nothing more', async () => {
    const w = await world();
    await w.scheduler.start();
    await open(w, 'c1');
    await w.settle();
    const [timer] = w.scheduler.pending();
    await w.services.commands.handle(
      parsed({
        type: 'respond',
        caseId: 'c1',
        actor: li,
        input: { message: 'hi' },
      }),
    );
    w.clock.advanceTo(B_DUE + 1);
    const fire = timerDispatcher(w.services.commands, w.clock);
    await fire(timer!); // stale: the case was answered
    expect((await w.events('c1')).map((e) => e.type)).toEqual(['CaseOpened', 'AgentResponded']);

    await open(w, 'c2');
    await w.settle();
    const [due] = w.scheduler.pending();
    w.clock.advanceTo(due!.dueAt);
    await Promise.all([fire(due!), fire(due!), fire(due!)]);
    expect(
      (await w.events('c2')).filter((e) => e.type === 'ResponseDeadlineBreached'),
    ).toHaveLength(1);
    await w.scheduler.close();
  });
});
