/**
 * The policy what-if replays the golden histories (test/fixtures/streams/) under the policy
 * versions they recorded: the external commands alone, at their recorded instants, with every
 * timer re-derived, must give back the recorded events (types, instants and data) and so the
 * same outcome. A change that makes the what-if misread history fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseEventUpcasters } from '../../src/application/caseEventUpcasters.js';
import { simulateSteps } from '../../src/application/simulation.js';
import { UpcasterRegistry } from '../../src/application/upcasting.js';
import { outcomeChanges } from '../../src/application/whatif/outcomeChanges.js';
import { recordedCase } from '../../src/application/whatif/recordedCase.js';
import { replayRecordedCase } from '../../src/application/whatif/replayRecordedCase.js';
import { caseOutcome } from '../../src/application/whatif/caseOutcome.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import { parsePolicy, type Policy } from '../../src/domain/policy/policy.js';
import { fromStoredEvent, streamsDir, type GoldenStream } from './goldenHistory.js';

const stories = [
  'breach',
  'downgrade-reassessed',
  'lifecycle',
  'nonresponse',
  'older-policy',
  'reopen-survey',
  'severity-raised',
  'withdraw',
];

const read = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(name, streamsDir), 'utf8')) as T;
const seed20261 = parsePolicy(read('policy-seed-2026.1.json'));
if (!seed20261.ok) throw seed20261.error;
const policies = new Map<string, Policy>([
  [defaultPolicy.version, defaultPolicy],
  [seed20261.value.version, seed20261.value],
]);
const upcasters = new UpcasterRegistry(caseEventUpcasters);

describe.each(stories)('golden history %s replayed by the what-if', (story) => {
  const stream = read<GoldenStream>(`${story}.stream.json`);
  const events = stream.events.map(fromStoredEvent).map((e) => upcasters.upcast(e));
  const recorded = recordedCase(events)!;
  const policy = policies.get(recorded.opened.policyVersion)!;
  // Timers run up to the last recorded event, as `docket policy whatif` runs them up to the log's.
  const until = Date.parse(events.at(-1)!.metadata.occurredAt);

  it('gives back every recorded event from the external commands alone', () => {
    expect(recorded.commands.length).toBeLessThan(events.length + 1);
    const output = simulateSteps(
      { tenants: [recorded.tenant], steps: recorded.commands, until },
      policy,
    );
    expect(output.refused).toEqual([]);
    expect(output.cases[recorded.caseId]?.events).toEqual(
      recorded.events.map(({ type, at, data }) => ({ type, at, data })),
    );
  });

  it('reports no change under the recorded policy', () => {
    const replayed = replayRecordedCase(recorded, policy, until);
    expect(replayed.refused).toEqual([]);
    const before = caseOutcome(recorded.events)!;
    expect(outcomeChanges(before, replayed.outcome, '')).toEqual([]);
    expect(replayed.outcome).toEqual(before);
  });
});
