import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/domain/policy/defaultPolicy.js';
import { nextWindows } from '../../../src/domain/policy/calendarWindows.js';
import { policyCalendar } from '../../../src/domain/policy/policyCalendars.js';
import { lookupSeverityRule } from '../../../src/domain/policy/severityRule.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

describe('nextWindows: where a countdown runs', () => {
  const calendarOf = (line: string, severity: 'A' | 'B') => {
    const rule = lookupSeverityRule(defaultPolicy, { offering: '21vianet', line, severity });
    if (!rule.ok) throw rule.error;
    return policyCalendar(defaultPolicy, rule.value.calendarId);
  };

  it('09:00–24:00 Beijing: the current window clipped to now, then the next day’s', () => {
    const windows = nextWindows(
      calendarOf('technical', 'B'),
      at('2026-11-23T02:00:00Z'), // Monday 10:00 Beijing
      at('2026-11-24T02:00:00Z'),
      5,
    ).map((w) => [iso(w.start), iso(w.end)]);
    expect(windows).toEqual([
      ['2026-11-23T02:00:00.000Z', '2026-11-23T16:00:00.000Z'],
      ['2026-11-24T01:00:00.000Z', '2026-11-24T16:00:00.000Z'],
    ]);
  });

  it('24×7: one window, the days that touch merged', () => {
    const windows = nextWindows(
      calendarOf('technical', 'A'),
      at('2026-11-23T02:00:00Z'),
      at('2026-11-26T02:00:00Z'),
      5,
    );
    expect(windows).toHaveLength(1);
    expect(iso(windows[0]!.start)).toBe('2026-11-23T02:00:00.000Z');
  });

  it('stops at max windows', () => {
    const windows = nextWindows(
      calendarOf('technical', 'B'),
      at('2026-11-23T02:00:00Z'),
      at('2027-01-01T00:00:00Z'),
      3,
    );
    expect(windows).toHaveLength(3);
  });
});
