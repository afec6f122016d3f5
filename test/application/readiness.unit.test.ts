import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { Readiness, type CheckResult } from '../../src/application/readiness.js';
import {
  calendarHorizonCheck,
  eventStoreCheck,
  projectionCheck,
} from '../../src/application/readinessChecks.js';
import { policyRegistry } from '../../src/application/policyRegistry.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import type { Policy } from '../../src/domain/policy/policy.js';

const ready = (): Promise<CheckResult> => Promise.resolve({ ready: true });

afterEach(() => {
  vi.useRealTimers();
});

describe('readiness', () => {
  it('is ready with no checks, and when every check is', async () => {
    expect(await new Readiness().evaluate()).toEqual({ ready: true, checks: [] });
    const readiness = new Readiness().register('store', ready).register('redis', ready);
    const report = await readiness.evaluate();
    expect(report.ready).toBe(true);
    expect(report.checks.map((c) => [c.name, c.ready])).toEqual([
      ['store', true],
      ['redis', true],
    ]);
  });

  it('is not ready when one check says so, or throws, each with its reason', async () => {
    const refused = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    const readiness = new Readiness()
      .register('store', ready)
      .register('redis', () => Promise.resolve({ ready: false, reason: 'redis is down' }))
      .register('read-models', () => Promise.reject(new Error('connection terminated')))
      .register('queue', () => Promise.reject(refused));
    const report = await readiness.evaluate();
    expect(report.ready).toBe(false);
    expect(report.checks.map((c) => [c.name, c.ready, c.reason])).toEqual([
      ['store', true, undefined],
      ['redis', false, 'redis is down'],
      ['read-models', false, 'connection terminated'],
      ['queue', false, 'ECONNREFUSED'],
    ]);
  });

  it('counts a check that does not answer within its timeout as not ready, without waiting for it', async () => {
    vi.useFakeTimers();
    const readiness = new Readiness({ timeoutMs: 1_000 })
      .register('store', ready)
      .register('hung', () => new Promise<CheckResult>(() => undefined), { timeoutMs: 250 });
    const evaluating = readiness.evaluate();
    await vi.advanceTimersByTimeAsync(250);
    const report = await evaluating;
    expect(report.ready).toBe(false);
    expect(report.checks[1]).toMatchObject({
      name: 'hung',
      ready: false,
      reason: 'no answer within 250 ms',
    });
  });

  it('runs the checks concurrently, and shares one evaluation among requests that overlap', async () => {
    let calls = 0;
    const started: string[] = [];
    let open = () => undefined as void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow = (name: string) => async (): Promise<CheckResult> => {
      calls++;
      started.push(name);
      await gate;
      return { ready: true };
    };
    const readiness = new Readiness().register('a', slow('a')).register('b', slow('b'));
    const first = readiness.evaluate();
    const second = readiness.evaluate();
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']); // both started before either finished
    open();
    expect(await first).toBe(await second);
    expect(calls).toBe(2);
    await readiness.evaluate();
    expect(calls).toBe(4);
  });

  it('refuses a name twice or a name that is not kebab-case', () => {
    const readiness = new Readiness().register('store', ready);
    expect(() => readiness.register('store', ready)).toThrow(/already registered/);
    expect(() => readiness.register('Store DB', ready)).toThrow(/kebab-case/);
  });
});

describe('ready-made checks', () => {
  it('store: ready with the head of the log', async () => {
    const store = new MemoryEventStore();
    expect(await eventStoreCheck(store)()).toEqual({ ready: true, details: { head: 0 } });
  });

  it('projections: not ready beyond the bound in events or in seconds', async () => {
    const lags = [
      { projection: 'agent-queue', events: 0, seconds: 0, rebuilding: false },
      { projection: 'sla-facts', events: 40, seconds: 3, rebuilding: false },
    ];
    const read = () => Promise.resolve(lags);
    expect(await projectionCheck(read, { maxEvents: 100, maxSeconds: 5 })()).toMatchObject({
      ready: true,
      details: { projections: lags },
    });
    expect(await projectionCheck(read, { maxEvents: 10 })()).toMatchObject({
      ready: false,
      reason: 'projections behind the log: sla-facts 40 events, 3.0 s behind',
    });
    expect((await projectionCheck(read, { maxSeconds: 2 })()).ready).toBe(false);
  });

  it('calendar horizon: ready, with a horizon passed or near as warnings in the details', async () => {
    const calendars = defaultPolicy.calendars;
    const cn = calendars['cn-business-hours']!;
    const passed: Policy = {
      ...defaultPolicy,
      calendars: {
        ...calendars,
        'cn-business-hours': { ...cn, holidaysKnownThrough: '2026-11-01' },
      },
    };
    const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
    const result = await calendarHorizonCheck(policyRegistry(passed), clock)();
    expect(result.ready).toBe(true);
    expect(result.details).toMatchObject({
      policyVersion: defaultPolicy.version,
      warnings: [
        {
          code: 'calendar-horizon-passed',
          calendar: 'cn-business-hours',
          knownThrough: '2026-11-01',
        },
      ],
    });
    const current = await calendarHorizonCheck(policyRegistry(defaultPolicy), clock)();
    expect(current.ready).toBe(true);
  });
});
