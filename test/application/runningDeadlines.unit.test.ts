import { describe, expect, it } from 'vitest';
import { runningDeadlines } from '../../src/application/runningDeadlines.js';
import { ada, givenCase, li, rebuild, type GivenEvent } from '../specs/caseSpec.js';
import { targetsPolicy } from '../specs/slaPolicies.js';

const openB = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 't',
  contact: { name: 'A', email: 'a@b.example' },
};
const record = (events: GivenEvent[], type: 'open' | 'requestInfo', at: string, input: unknown) => {
  const actor = type === 'open' ? ada : li;
  const decided = givenCase(events, { policy: targetsPolicy }).when({ type, actor, at, input });
  if (!decided.result.ok) throw decided.result.error;
  return [...events, ...decided.result.value.events.map((e) => ({ ...e, at }))];
};

describe('runningDeadlines with further targets', () => {
  it('lists each running clock on its calendar; a paused clock and at-risk checks are not listed', () => {
    const opened = record([], 'open', '2026-11-23T10:00:00+08:00', openB);
    const at = Date.parse('2026-11-23T03:00:00Z');
    expect(
      runningDeadlines(rebuild(opened)!, at, targetsPolicy).map((d) => [
        d.kind,
        d.dueAt,
        d.calendar,
        d.businessLeftMs,
      ]),
    ).toEqual([
      ['response-deadline', '2026-11-24T02:00:00.000Z', 'cn-daily', 14 * 3_600_000],
      ['resolution-deadline', '2026-11-26T02:00:00.000Z', 'cn-daily', 44 * 3_600_000],
    ]);
    const waiting = record(opened, 'requestInfo', '2026-11-23T12:00:00+08:00', {
      message: 'Logs?',
    });
    expect(runningDeadlines(rebuild(waiting)!, at, targetsPolicy).map((d) => d.kind)).toEqual([
      'customer-nonresponse',
    ]);
  });
});
