/**
 * Golden histories: case streams recorded by the application (test/fixtures/streams/record.ts)
 * must keep replaying, through today's upcasters and case machine, to the cases they were when
 * they were recorded. A change to the machine, the event schemas, the upcasters or the hash
 * recipe that breaks an existing history fails here. Do not re-record to make this pass unless
 * old stores are meant to change too (and then say so in the commit).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyStream } from '../../src/application/auditVerifier.js';
import { caseEventUpcasters } from '../../src/application/caseEventUpcasters.js';
import { toMachineEvent } from '../../src/application/caseStream.js';
import { UpcasterRegistry } from '../../src/application/upcasting.js';
import {
  caseEventDataSchemas,
  currentSchemaVersion,
  isCaseEventType,
} from '../../src/domain/case/stream/caseEvents.js';
import {
  applyCaseEvent,
  rebuildCase,
  type CaseSnapshot,
} from '../../src/domain/case/rebuildCase.js';
import {
  fromStoredEvent,
  streamsDir,
  summarize,
  summarizeTimers,
  type GoldenExpectation,
  type GoldenStream,
} from './goldenHistory.js';

/** Every recorded story: a fixture that disappears fails too. */
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

const upcasters = new UpcasterRegistry(caseEventUpcasters);

it('the fixtures folder holds exactly the listed stories', () => {
  const found = readdirSync(streamsDir)
    .filter((f) => f.endsWith('.stream.json'))
    .map((f) => f.replace(/\.stream\.json$/, ''))
    .sort();
  expect(found).toEqual(stories);
});

describe.each(stories)('golden history %s', (story) => {
  const stream = read<GoldenStream>(`${story}.stream.json`);
  const expected = read<GoldenExpectation>(`${story}.expected.json`);
  const stored = stream.events.map(fromStoredEvent);

  it('is intact as stored: revisions, hash chain, and every event accepted by the machine', () => {
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((e) => e.streamId === stream.streamId)).toBe(true);
    expect(verifyStream(stream.streamId, stored, upcasters)).toEqual([]);
  });

  it("upcasts every event to today's schema version and shape", () => {
    for (const event of stored) {
      const upcast = upcasters.upcast(event);
      expect(isCaseEventType(upcast.type), upcast.type).toBe(true);
      if (!isCaseEventType(upcast.type)) continue;
      expect(upcast.schemaVersion, `${upcast.type}@${event.revision}`).toBe(
        currentSchemaVersion[upcast.type],
      );
      const parsed = caseEventDataSchemas[upcast.type].safeParse(upcast.data);
      expect(parsed.error?.issues ?? [], `${upcast.type}@${event.revision}`).toEqual([]);
    }
  });

  it('replays to the case it was when recorded', () => {
    const events = stored.map((e) => toMachineEvent(upcasters.upcast(e)));
    const rebuilt = rebuildCase(events);
    if (!rebuilt.ok) throw rebuilt.error;
    const snapshot = rebuilt.value!;
    expect(summarize(snapshot)).toEqual(expected.final);
    expect(summarizeTimers(snapshot)).toEqual(expected.pendingTimers);

    const trail: GoldenExpectation['trail'][number][] = [];
    let step: CaseSnapshot | undefined;
    for (const [i, event] of events.entries()) {
      const applied = applyCaseEvent(step, event);
      if (!applied.ok) throw applied.error;
      step = applied.value;
      trail.push({
        revision: stored[i]!.revision,
        type: event.type,
        state: step.state,
        severity: step.context.severity,
      });
    }
    expect(trail).toEqual(expected.trail);
  });
});
