import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandType } from '../../../src/domain/case/caseCommands.js';
import { formatInstant } from '../../../src/domain/instant.js';
import type { Actor } from '../../../src/domain/actor.js';
import { ada, givenCase, li, type GivenEvent } from '../../specs/caseSpec.js';
import { targetsPolicy } from '../../specs/slaPolicies.js';

const MINUTE = 60_000;
const openB = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 't',
  contact: { name: 'A', email: 'a@b.example' },
};

/** The resolution clock's due instant after each of its clock events, in order. */
const resolutionDues = (events: readonly GivenEvent[]): number[] =>
  events.flatMap((e) =>
    (e.type === 'SlaTargetStarted' || e.type === 'SlaTargetResumed') &&
    e.data.target === 'resolution'
      ? [Date.parse(e.data.dueAt)]
      : [],
  );

describe('pausing never shortens a target (property)', () => {
  it('the resolution due instant with awaiting-customer pauses is never earlier than without them', () => {
    fc.assert(
      fc.property(
        // Opened at any minute of two weeks (on and off the cn-daily windows).
        fc.integer({ min: 0, max: 14 * 24 * 60 }),
        // Work, then a pause, repeatedly: each span up to two days, in minutes.
        fc.array(
          fc.tuple(
            fc.integer({ min: 1, max: 2 * 24 * 60 }),
            fc.integer({ min: 1, max: 2 * 24 * 60 }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (openedMinute, spans) => {
          const events: GivenEvent[] = [];
          let now = Date.parse('2026-11-02T00:00:00Z') + openedMinute * MINUTE;
          const run = (type: CommandType, actor: Actor, input: unknown) => {
            const at = formatInstant(now);
            const decided = givenCase(events, { policy: targetsPolicy }).when({
              type,
              actor,
              at,
              input,
            });
            if (!decided.result.ok) throw decided.result.error;
            events.push(...decided.result.value.events.map((e) => ({ ...e, at })));
          };
          run('open', ada, openB);
          const unpaused = resolutionDues(events)[0]!;
          for (const [work, pause] of spans) {
            now += work * MINUTE;
            run('requestInfo', li, { message: 'More, please.' });
            now += pause * MINUTE;
            run('customerReply', ada, { message: 'Here.' });
          }
          const dues = resolutionDues(events);
          expect(dues.length).toBe(spans.length + 1);
          // Never earlier than without pauses, and each pause only ever moves it later.
          for (const due of dues) expect(due).toBeGreaterThanOrEqual(unpaused);
          for (let i = 1; i < dues.length; i++)
            expect(dues[i]!).toBeGreaterThanOrEqual(dues[i - 1]!);
        },
      ),
      { numRuns: 150 },
    );
  });
});
