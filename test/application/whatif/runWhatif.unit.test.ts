/**
 * The policy what-if, given/when/then: given a log recorded by the real command handler (timers
 * fired as the service fires them), when its cases are replayed under a candidate policy (or
 * under the versions they recorded), then the report says what changes.
 */
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/adapters/memoryEventStore.js';
import { caseEventUpcasters } from '../../../src/application/caseEventUpcasters.js';
import type { EventStore } from '../../../src/application/eventStore.js';
import { UpcasterRegistry, withUpcasting } from '../../../src/application/upcasting.js';
import { recordedPolicies } from '../../../src/application/whatif/recordedPolicies.js';
import {
  runWhatif,
  type WhatifOptions,
  type WhatifReplayer,
} from '../../../src/application/whatif/runWhatif.js';
import {
  CASE_STREAMS,
  replayCaseStreams,
} from '../../../src/application/whatif/replayCaseStreams.js';
import { rangesBetween } from '../../../src/cli/verifyThreads.js';
import type { WhatifReport } from '../../../src/application/whatif/whatifReport.js';
import type { Actor } from '../../../src/domain/actor.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import { defaultPolicy } from '../../../src/domain/policy/defaultPolicy.js';
import type { Policy } from '../../../src/domain/policy/policy.js';
import { candidatePolicy } from '../../specs/candidatePolicy.js';
import { RecordingWorld } from '../../specs/recordingWorld.js';
import { parsed } from '../../specs/caseCommands.js';
import { contosoTenant, fabrikamTenant, servicesWith } from '../../specs/servicesSpec.js';

const ada: Actor = { role: 'customer-admin', tenant: 'contoso', id: 'ada' };
const fay: Actor = { role: 'customer-admin', tenant: 'fabrikam', id: 'fay' };
const li: Actor = { role: 'agent', id: 'li' };
const contact = { name: 'Ada', email: 'ada@contoso.example', phone: '+86 10 5550 0100' };
const open = (severity: string, line = 'technical') => ({
  line,
  severity,
  category: line === 'technical' ? 'sso' : 'other',
  title: 'Sign-in fails',
  contact,
  ...(severity === 'A' && { businessImpact: 'Nobody can sign in.' }),
});

type Step = (w: RecordingWorld) => Promise<void>;

/** Given: a log recorded by the services under the built-in policy. */
const givenLog = async (...steps: Step[]): Promise<EventStore> => {
  const store = new MemoryEventStore();
  const world = await RecordingWorld.start(store, '2026-11-23T09:00:00+08:00', defaultPolicy, [
    contosoTenant,
    fabrikamTenant,
  ]);
  for (const step of steps) await step(world);
  return store;
};

const at =
  (
    instant: string,
    actor: Actor,
    command: Parameters<RecordingWorld['at']>[2],
    id: string,
    input: unknown,
  ): Step =>
  async (w) => {
    const refused = await w.at(instant, actor, command, id, input);
    if (refused !== undefined) throw refused;
  };
const until =
  (instant: string): Step =>
  (w) =>
    w.until(instant);

/** When: the log replayed (read upcast, as the CLI reads it). */
const whenReplayed = async (
  store: EventStore,
  policy: Policy | 'recorded',
  options: Omit<WhatifOptions, 'policy'> = {},
): Promise<WhatifReport> => {
  const upcast = withUpcasting(store, new UpcasterRegistry(caseEventUpcasters));
  return runWhatif(upcast, {
    ...options,
    policy:
      policy === 'recorded'
        ? { kind: 'recorded', byVersion: await recordedPolicies(upcast) }
        : { kind: 'candidate', policy },
  });
};

/** A B response target of two business days instead of one, on 21vianet technical. */
const slowerB = candidatePolicy('whatif-slower-b', (doc) => {
  doc.offerings['21vianet']!.lines.technical!.severities.B!.responseTarget = { businessDays: 2 };
});

/** 21vianet technical without severity A. */
const withoutA = candidatePolicy('whatif-no-a', (doc) => {
  const technical = doc.offerings['21vianet']!.lines.technical!;
  delete technical.severities.A;
  technical.maxSeverity = 'B';
});

// 21vianet technical B runs on 09:00–24:00 Beijing: opened Monday 10:00, due Tuesday 10:00.
const lateResponse = [
  at('2026-11-23T10:00:00+08:00', ada, 'open', 'late', open('B')),
  at('2026-11-24T15:00:00+08:00', li, 'respond', 'late', { message: 'Looking.' }),
];
const timelyResponse = [
  at('2026-11-25T11:00:00+08:00', ada, 'open', 'timely', open('B')),
  at('2026-11-25T12:00:00+08:00', li, 'respond', 'timely', { message: 'Looking.' }),
  at('2026-11-25T13:00:00+08:00', li, 'resolve', 'timely', { reason: 'fixed', summary: 'Done.' }),
];

describe('policy what-if: a candidate policy', () => {
  it('given a B case answered after its target, when B gets two business days, then it is within target and no longer breached', async () => {
    const store = await givenLog(...lateResponse, ...timelyResponse);
    const report = await whenReplayed(store, slowerB);
    expect(report.changed).toEqual([
      {
        caseId: 'late',
        offering: '21vianet',
        line: 'technical',
        severity: 'B',
        changes: [
          {
            what: 'first-response',
            before: 'missed',
            after: 'within-target',
            at: '2026-11-24T07:00:00.000Z',
          },
          { what: 'breach', before: true, after: false, at: '2026-11-24T02:00:00.000Z' },
        ],
      },
    ]);
    expect(report.overall.before).toMatchObject({
      cases: 2,
      firstResponses: 2,
      withinTarget: 1,
      breaches: 1,
    });
    expect(report.overall.after).toMatchObject({
      cases: 2,
      firstResponses: 2,
      withinTarget: 2,
      breaches: 0,
    });
    expect(report.refused).toEqual({ count: 0, commands: [] });
    expect(report.policy).toBe('whatif-slower-b');
  });

  it('figures business time: median and p90 of the first responses, nearest rank', async () => {
    const store = await givenLog(...lateResponse, ...timelyResponse);
    const { overall } = await whenReplayed(store, slowerB);
    // late: Monday 10:00–24:00 (14 h) + Tuesday 09:00–15:00 (6 h) = 20 h; timely: 1 h.
    expect(overall.before.medianResponseBusinessMs).toBe(3_600_000);
    expect(overall.before.p90ResponseBusinessMs).toBe(20 * 3_600_000);
    expect(overall.after.p90ResponseBusinessMs).toBe(20 * 3_600_000);
  });

  it('given a command the candidate refuses (a severity it no longer offers), then it is counted and listed, and the run goes on', async () => {
    const store = await givenLog(
      at('2026-11-23T10:00:00+08:00', ada, 'open', 'raised', open('B')),
      at('2026-11-23T10:30:00+08:00', li, 'changeSeverity', 'raised', {
        severity: 'A',
        reason: 'Everyone is blocked.',
      }),
      at('2026-11-23T10:40:00+08:00', li, 'respond', 'raised', { message: 'On it.' }),
      ...timelyResponse,
    );
    const report = await whenReplayed(store, withoutA);
    expect(report.refused.count).toBe(1);
    expect(report.refused.commands[0]).toMatchObject({
      caseId: 'raised',
      command: 'changeSeverity',
      at: '2026-11-23T02:30:00.000Z',
    });
    expect(report.overall.after.cases).toBe(2);
    expect(report.overall.after.withinTarget).toBe(2);
  });

  it('given an A case, when the candidate has no A, then it opens at B and the severity change is listed at the open instant', async () => {
    const store = await givenLog(
      at('2026-11-23T10:00:00+08:00', ada, 'open', 'critical', open('A')),
      at('2026-11-23T10:20:00+08:00', li, 'respond', 'critical', { message: 'On it.' }),
    );
    const report = await whenReplayed(store, withoutA);
    expect(report.changed).toEqual([
      expect.objectContaining({
        caseId: 'critical',
        severity: 'A',
        changes: [{ what: 'severity', before: 'A', after: 'B', at: '2026-11-23T02:00:00.000Z' }],
      }),
    ]);
    expect(report.groups.map((g) => `${g.offering}/${g.line}/${g.severity}`)).toEqual([
      '21vianet/technical/A',
    ]);
  });

  it('given a case whose line the candidate does not offer, then its open is refused, its later commands skipped, and it counts only before', async () => {
    const noPresales = candidatePolicy('whatif-no-presales', (doc) => {
      delete doc.offerings['21vianet']!.lines.presales;
    });
    const store = await givenLog(
      at('2026-11-23T10:00:00+08:00', fay, 'open', 'pre', {
        ...open('C', 'presales'),
        category: 'plan-comparison',
      }),
      at('2026-11-23T11:00:00+08:00', li, 'respond', 'pre', { message: 'Here is the comparison.' }),
    );
    const report = await whenReplayed(store, noPresales);
    expect(report.refused.commands).toEqual([
      expect.objectContaining({ caseId: 'pre', command: 'open', skipped: 1 }),
    ]);
    expect(report.changed[0]?.changes).toEqual([
      { what: 'opened', before: true, after: false, at: '2026-11-23T02:00:00.000Z' },
    ]);
    expect([report.overall.before.cases, report.overall.after.cases]).toEqual([1, 0]);
  });

  it('given customer silence, when the nonresponse period is longer, then the downgrades and the resolution move or vanish', async () => {
    const patient = candidatePolicy('whatif-patient', (doc) => {
      const technical = doc.offerings['21vianet']!.lines.technical!;
      technical.severities.B!.nonresponse = { businessDays: 40 };
    });
    const store = await givenLog(
      at('2026-11-23T10:00:00+08:00', ada, 'open', 'quiet', open('B')),
      at('2026-11-23T11:00:00+08:00', li, 'requestInfo', 'quiet', { message: 'Logs, please.' }),
      until('2026-12-20T00:00:00+08:00'),
      // The log's last event sets how far timers run in the replay.
      at('2026-12-20T00:00:00+08:00', ada, 'open', 'last', open('C')),
    );
    const recorded = await whenReplayed(store, 'recorded');
    expect(recorded.changed).toEqual([]);
    expect(recorded.overall.before).toMatchObject({
      downgrades: 1,
      nonresponseResolutions: 1,
      autoCloses: 1,
    });
    const report = await whenReplayed(store, patient);
    const changes = report.changed.find((c) => c.caseId === 'quiet')?.changes ?? [];
    expect(changes.map((c) => [c.what, c.before, c.after])).toEqual([
      ['downgrades', 1, 0],
      ['nonresponse-resolution', true, false],
      ['auto-close', true, false],
    ]);
    // Recorded: B's 2 business days on 09:00–24:00, Monday 11:00 + 30 h → Wednesday 11:00
    // Beijing; 40 business days run past the log's last event.
    expect(changes[0]?.at).toBe('2026-11-25T03:00:00.000Z');
  });
});

describe('policy what-if: filters', () => {
  const log = () =>
    givenLog(
      at('2026-11-23T10:00:00+08:00', ada, 'open', 'c-early', open('B')),
      at('2026-11-24T10:00:00+08:00', fay, 'open', 'f-later', open('B')),
      at('2026-11-25T10:00:00+08:00', ada, 'open', 'c-last', open('C')),
    );
  const ids = (r: WhatifReport) => r.overall.before.cases;

  it('takes the cases opened in [from, to), of the tenant and offering given', async () => {
    const store = await log();
    const from = Date.parse('2026-11-24T00:00:00Z');
    const to = Date.parse('2026-11-25T02:00:00Z');
    expect(ids(await whenReplayed(store, defaultPolicy, { from, to }))).toBe(1);
    expect(ids(await whenReplayed(store, defaultPolicy, { from }))).toBe(2);
    expect(ids(await whenReplayed(store, defaultPolicy, { tenant: 'contoso' }))).toBe(2);
    expect(ids(await whenReplayed(store, defaultPolicy, { offering: 'business' }))).toBe(0);
    const report = await whenReplayed(store, defaultPolicy, { from, to, tenant: 'fabrikam' });
    expect(report.filter).toEqual({
      from: '2026-11-24T00:00:00.000Z',
      to: '2026-11-25T02:00:00.000Z',
      tenant: 'fabrikam',
      offering: null,
    });
  });
});

describe('policy what-if: determinism', () => {
  const steps = [...lateResponse, ...timelyResponse];

  it('the same log and candidate give the same report, run after run and log after identical log', async () => {
    const store = await givenLog(...steps);
    const first = JSON.stringify(await whenReplayed(store, slowerB));
    expect(JSON.stringify(await whenReplayed(store, slowerB))).toBe(first);
    // Event and command ids are random: a log written again by the same commands differs in
    // them, and the report does not.
    expect(JSON.stringify(await whenReplayed(await givenLog(...steps), slowerB))).toBe(first);
  });

  it('replayed in parts (ranges of case streams, as threads do), the report is the same bytes, wherever the cuts fall', async () => {
    const store = await givenLog(
      lateResponse[0]!,
      at('2026-11-23T10:05:00+08:00', ada, 'open', 'raised', open('B')),
      at('2026-11-23T10:30:00+08:00', li, 'changeSeverity', 'raised', {
        severity: 'A',
        reason: 'Everyone is blocked.',
      }),
      at('2026-11-23T10:40:00+08:00', li, 'respond', 'raised', { message: 'On it.' }),
      at('2026-11-23T11:00:00+08:00', fay, 'open', 'quick', open('C')),
      lateResponse[1]!,
      ...timelyResponse,
      at('2026-11-26T10:00:00+08:00', ada, 'open', 'critical', open('A')),
      at('2026-11-26T10:20:00+08:00', li, 'respond', 'critical', { message: 'On it.' }),
      at('2026-11-26T11:00:00+08:00', ada, 'open', 'zraised', open('B')),
      at('2026-11-26T11:10:00+08:00', li, 'changeSeverity', 'zraised', {
        severity: 'A',
        reason: 'Everyone is blocked.',
      }),
    );
    // Slower B and no A: cases change and commands are refused in several streams.
    const both = candidatePolicy('whatif-slower-b-no-a', (doc) => {
      const technical = doc.offerings['21vianet']!.lines.technical!;
      technical.severities.B!.responseTarget = { businessDays: 2 };
      delete technical.severities.A;
      technical.maxSeverity = 'B';
    });
    const upcast = withUpcasting(store, new UpcasterRegistry(caseEventUpcasters));
    const streamIds = new Set<string>();
    for await (const e of upcast.readByStream(CASE_STREAMS)) streamIds.add(e.streamId);
    const ids = [...streamIds];
    expect(ids).toHaveLength(6);
    for (const candidate of [slowerB, both]) {
      const policy = { kind: 'candidate', policy: candidate } as const;
      const report = await runWhatif(upcast, { policy });
      if (candidate === both) {
        expect(report.changed.map((c) => c.caseId)).toEqual(['critical', 'late']);
        expect(report.refused.commands.map((c) => c.caseId)).toEqual(['raised', 'zraised']);
      }
      const whole = JSON.stringify(report);
      // Every way of cutting the six streams into consecutive ranges (before any, after all).
      for (let mask = 0; mask < 2 ** (ids.length + 1); mask++) {
        const splits = ['case-', ...ids, 'case.'].filter((_, i) => (mask >> i) & 1);
        const replayer: WhatifReplayer = (head, onProgress) =>
          Promise.all(
            rangesBetween(splits).map((range) =>
              replayCaseStreams(upcast, { policy, head, range, onProgress }),
            ),
          );
        expect(JSON.stringify(await runWhatif(upcast, { policy, replayer }))).toBe(whole);
      }
    }
  });

  it('events appended after the run began are not read', async () => {
    const store = await givenLog(...steps);
    const report = await whenReplayed(store, slowerB, {
      onProgress: async () => {
        const world = await RecordingWorld.start(store, '2026-12-01T00:00:00Z', defaultPolicy, []);
        await world.at(
          '2026-12-01T00:00:00Z',
          ada,
          'open',
          `x${Math.random()}`.replace('.', ''),
          open('C'),
        );
      },
    });
    expect(report.overall.before.cases).toBe(2);
    expect(report.asOf?.at).toBe('2026-11-25T05:00:00.000Z');
  });
});

describe('policy what-if: the recorded policies', () => {
  it('reproduce the log: cases opened under two policy versions, breaches, downgrades, resolutions for nonresponse, reopen, withdraw, auto-close', async () => {
    const [openLate, respondLate] = lateResponse;
    const store = await givenLog(
      openLate!,
      at('2026-11-23T12:00:00+08:00', ada, 'open', 'quiet', open('A')),
      at('2026-11-23T12:10:00+08:00', li, 'requestInfo', 'quiet', { message: 'Logs, please.' }),
      at('2026-11-24T09:00:00+08:00', ada, 'open', 'reopened', open('C')),
      at('2026-11-24T10:00:00+08:00', li, 'resolve', 'reopened', {
        reason: 'fixed',
        summary: 'Done.',
      }),
      respondLate!,
      at('2026-11-25T10:00:00+08:00', ada, 'reopen', 'reopened', { reason: 'Back again.' }),
      ...timelyResponse,
      async (w) => w.restart('2026-11-26T00:00:00+08:00', slowerB),
      at('2026-11-26T10:00:00+08:00', fay, 'open', 'slow', open('B')),
      at('2026-11-27T15:00:00+08:00', li, 'respond', 'slow', { message: 'Looking.' }),
      at('2026-11-27T16:00:00+08:00', fay, 'withdraw', 'slow', { reason: 'Gone.' }),
      until('2026-12-20T00:00:00+08:00'),
      at('2026-12-20T00:00:00+08:00', li, 'addNote', 'late', { text: 'Closing the books.' }),
    );
    const report = await whenReplayed(store, 'recorded');
    expect(report.changed).toEqual([]);
    expect(report.refused.count).toBe(0);
    expect(report.overall.after).toEqual(report.overall.before);
    expect(report.overall.before).toMatchObject({
      cases: 5,
      breaches: 1,
      downgrades: 2,
      nonresponseResolutions: 1,
      autoCloses: 3,
    });
    // Under today's candidate instead, `slow` (opened under 2 business days) breaches.
    const underDefault = await whenReplayed(store, defaultPolicy);
    expect(underDefault.changed.map((c) => c.caseId)).toEqual(['slow']);
  });

  it('given a timer that fired late (the service was down), then the replay differs and says where', async () => {
    const store = new MemoryEventStore();
    const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
    const { commands } = await servicesWith(store, clock, [contosoTenant]);
    const handle = async (
      command: 'open' | 'requestInfo' | 'customerReply',
      actor: Actor,
      input: unknown,
    ) => {
      const result = await commands.handle(parsed({ type: command, caseId: 'down', actor, input }));
      if (!result.ok) throw result.error;
    };
    await handle('open', ada, open('B'));
    clock.advanceTo(Date.parse('2026-11-23T03:00:00Z'));
    await handle('requestInfo', li, { message: 'Logs, please.' });
    // B waits 2 business days (30 h on 09:00–24:00): due Wednesday 11:00 Beijing. No timer ran;
    // the customer replied at 15:00.
    clock.advanceTo(Date.parse('2026-11-25T07:00:00Z'));
    await handle('customerReply', ada, { message: 'Here.' });
    const report = await whenReplayed(store, 'recorded');
    expect(report.changed).toEqual([
      expect.objectContaining({
        caseId: 'down',
        changes: [{ what: 'downgrades', before: 0, after: 1, at: '2026-11-25T03:00:00.000Z' }],
      }),
    ]);
  });

  it('a case whose policy version the log does not hold is a refusal, not a crash', async () => {
    const store = await givenLog(...lateResponse);
    const upcast = withUpcasting(store, new UpcasterRegistry(caseEventUpcasters));
    const report = await runWhatif(upcast, {
      policy: { kind: 'recorded', byVersion: () => undefined },
    });
    expect(report.refused.commands).toEqual([
      expect.objectContaining({
        caseId: 'late',
        command: 'open',
        code: 'policy-version-missing',
        skipped: 1,
      }),
    ]);
  });
});
