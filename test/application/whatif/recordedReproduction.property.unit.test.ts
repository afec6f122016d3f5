/**
 * Property: whatever cases a deployment records (any commands, by the actor they are for, at
 * any instants, timers fired as the service fires them, a policy change half-way), replaying
 * them under the policy versions they recorded reproduces every outcome, refuses nothing, and
 * gives the same figures; so does a candidate that is the same policy under another version.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/adapters/memoryEventStore.js';
import { caseEventUpcasters } from '../../../src/application/caseEventUpcasters.js';
import { UpcasterRegistry, withUpcasting } from '../../../src/application/upcasting.js';
import type { EventStore, RecordedEvent } from '../../../src/application/eventStore.js';
import { simulateSteps } from '../../../src/application/simulation.js';
import { recordedCase } from '../../../src/application/whatif/recordedCase.js';
import { recordedPolicies } from '../../../src/application/whatif/recordedPolicies.js';
import { runWhatif } from '../../../src/application/whatif/runWhatif.js';
import type { Actor } from '../../../src/domain/actor.js';
import type { CommandType } from '../../../src/domain/case/caseCommands.js';
import { defaultPolicy } from '../../../src/domain/policy/defaultPolicy.js';
import type { Tenant } from '../../../src/domain/policy/tenant.js';
import { candidatePolicy } from '../../specs/candidatePolicy.js';
import { RecordingWorld } from '../../specs/recordingWorld.js';

const tenants: Tenant[] = [
  { id: 'contoso', offering: '21vianet', advancedAgreement: true },
  { id: 'fabrikam', offering: '21vianet', advancedAgreement: false },
  { id: 'tailspin', offering: 'office365-germany', advancedAgreement: true },
  { id: 'northwind', offering: 'business', advancedAgreement: false, region: 'AU' },
];
const customers: Actor[] = tenants.map((t) => ({
  role: 'customer-admin',
  tenant: t.id,
  id: `admin-${t.id}`,
}));
const agent: Actor = { role: 'agent', id: 'li' };
const severity = fc.constantFrom('A', 'B', 'C');
const later = [
  'assign',
  'respond',
  'requestInfo',
  'customerReply',
  'changeSeverity',
  'addNote',
  'resolve',
  'withdraw',
  'reopen',
  'submitSurvey',
] as const satisfies readonly CommandType[];
const byCustomer = new Set<CommandType>(['customerReply', 'withdraw', 'reopen', 'submitSurvey']);
const inputFor: Record<(typeof later)[number], fc.Arbitrary<unknown>> = {
  assign: fc.constant({ agent: 'li' }),
  respond: fc.constant({ message: 'm' }),
  requestInfo: fc.constant({ message: 'm' }),
  customerReply: fc.constant({ message: 'm' }),
  changeSeverity: fc.record({ severity, reason: fc.constant('r') }),
  addNote: fc.constant({ text: 't' }),
  resolve: fc.record({
    reason: fc.constantFrom('fixed', 'advice-given'),
    summary: fc.constant('s'),
  }),
  withdraw: fc.constant({ reason: 'r' }),
  reopen: fc.constant({ reason: 'r' }),
  submitSurvey: fc.record({ rating: fc.integer({ min: 1, max: 5 }) }),
};
const laterStep = fc.constantFrom(...later).chain((command) =>
  fc.record({
    command: fc.constant<CommandType>(command),
    input: inputFor[command],
    // Minutes to days: deadlines of every severity fall before, between and after steps.
    afterMs: fc.oneof(
      fc.integer({ min: 0, max: 6 * 3_600_000 }),
      fc.integer({ min: 0, max: 9 * 86_400_000 }),
    ),
  }),
);
const aCase = fc.record({
  customer: fc.integer({ min: 0, max: customers.length - 1 }),
  line: fc.constantFrom('technical', 'billing', 'presales'),
  severity,
  openAfterMs: fc.integer({ min: 0, max: 2 * 86_400_000 }),
  steps: fc.array(laterStep, { maxLength: 8 }),
});
const world = fc.record({
  cases: fc.array(aCase, { minLength: 1, maxLength: 4 }),
  // The policy changes to another version after this many cases were opened (none: never).
  changeAfter: fc.integer({ min: 0, max: 5 }),
  untilMs: fc.integer({ min: 0, max: 30 * 86_400_000 }),
});

/** The built-in policy with every target and period halved, as a new version. */
const stricter = candidatePolicy('property-stricter', (doc) => {
  for (const offering of Object.values(doc.offerings))
    for (const line of Object.values(offering.lines))
      for (const terms of Object.values(line.severities)) {
        if (terms === undefined) continue;
        terms.responseTarget = { minutes: 30 };
        terms.nonresponse = { hours: 2 };
      }
});
const sameAsDefault = candidatePolicy('property-same', () => undefined);

const START = Date.parse('2026-11-23T01:00:00Z');

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

/** Records the generated world through the real services; refused commands record nothing. */
const record = async (w: World) => {
  const store = new MemoryEventStore();
  const rec = await RecordingWorld.start(store, START, defaultPolicy, tenants);
  // Every command of every case, in time order (cases interleave).
  const commands: Array<{
    at: number;
    actor: Actor;
    command: CommandType;
    id: string;
    input: unknown;
  }> = [];
  w.cases.forEach((c, i) => {
    const customer = customers[c.customer]!;
    let at = START + c.openAfterMs;
    const id = `p${i}`;
    commands.push({
      at,
      actor: customer,
      command: 'open',
      id,
      input: {
        line: c.line,
        severity: c.severity,
        category: 'other',
        title: 't',
        contact: { name: 'n', email: 'n@example.com', phone: '+1 555 0100' },
        businessImpact: 'impact',
      },
    });
    for (const s of c.steps) {
      at += s.afterMs;
      commands.push({
        at,
        actor: byCustomer.has(s.command) ? customer : agent,
        command: s.command,
        id,
        input: s.input,
      });
    }
  });
  commands.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  let opened = 0;
  for (const c of commands) {
    if (c.command === 'open' && opened++ === w.changeAfter) await rec.restart(c.at, stricter);
    await rec.at(c.at, c.actor, c.command, c.id, c.input);
  }
  const last = commands.at(-1)!.at;
  await rec.until(last + w.untilMs);
  // An event at the end, so that the log's last instant is where the recording stopped.
  await rec.at(last + w.untilMs, agent, 'addNote', 'p0', { text: 'end' });
  return withUpcasting(store, new UpcasterRegistry(caseEventUpcasters));
};

/** Each case stream, from its external commands alone, gives back its recorded events. */
const expectEventsReproduced = async (store: EventStore) => {
  const byVersion = await recordedPolicies(store);
  let until = 0;
  for await (const e of store.readAll({ direction: 'backwards', maxCount: 1 }))
    until = Date.parse(e.metadata.occurredAt);
  const streams = new Map<string, RecordedEvent[]>();
  for await (const e of store.readByStream({ fromStreamId: 'case-', toStreamId: 'case.' }))
    streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
  for (const events of streams.values()) {
    const recorded = recordedCase(events)!;
    const policy = byVersion(recorded.opened.policyVersion)!;
    const output = simulateSteps(
      { tenants: [recorded.tenant], steps: recorded.commands, until },
      policy,
    );
    expect(output.refused).toEqual([]);
    expect(output.cases[recorded.caseId]?.events).toEqual(
      recorded.events.map(({ type, at, data }) => ({ type, at, data })),
    );
  }
};

describe('policy what-if under the recorded policies (property)', () => {
  it('reproduces every recorded outcome, refuses nothing, and gives the same figures', async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const store = await record(w);
        const byVersion = await recordedPolicies(store);
        const report = await runWhatif(store, { policy: { kind: 'recorded', byVersion } });
        expect(report.changed).toEqual([]);
        expect(report.refused.commands).toEqual([]);
        expect(report.overall.after).toEqual(report.overall.before);
        for (const group of report.groups) expect(group.after).toEqual(group.before);
        await expectEventsReproduced(store);
      }),
      { numRuns: 60 },
    );
  });

  it('a candidate that is the recorded policy under another version changes nothing where it applied', async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const store = await record({ ...w, changeAfter: 99 });
        const report = await runWhatif(store, {
          policy: { kind: 'candidate', policy: sameAsDefault },
        });
        expect(report.changed).toEqual([]);
        expect(report.refused.commands).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});
