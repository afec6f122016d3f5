import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/domain/clock.js';
import { defaultPolicy, defaultPolicyDocument } from '../../../src/domain/policy/defaultPolicy.js';
import { parsePolicy, type Policy, type PolicyInput } from '../../../src/domain/policy/policy.js';
import { policyHorizonWarnings } from '../../../src/domain/policy/policyHorizons.js';

const at = (iso: string) => Date.parse(iso);
const policyWith = (edit: (doc: PolicyInput) => void): Policy => {
  const doc = structuredClone(defaultPolicyDocument);
  edit(doc);
  const parsed = parsePolicy(doc);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
};

describe('policy horizons (what `docket policy check` warns about)', () => {
  it('nothing while the China horizon (2026-12-31) is 90 days or more away', () => {
    const clock = new VirtualClock(at('2026-09-01T00:00:00+08:00'));
    expect(policyHorizonWarnings(defaultPolicy, clock.now())).toEqual([]);
    // 2027-01-01 00:00 Beijing is exactly 90 days after 2026-10-03 00:00 Beijing.
    clock.advanceTo(at('2026-10-03T00:00:00+08:00'));
    expect(policyHorizonWarnings(defaultPolicy, clock.now())).toEqual([]);
  });

  it('warns when it is less than 90 days away', () => {
    expect(policyHorizonWarnings(defaultPolicy, at('2026-10-03T00:00:00.001+08:00'))).toEqual([
      {
        code: 'calendar-horizon-near',
        calendar: 'cn-business-hours',
        knownThrough: '2026-12-31',
        message: expect.stringMatching(/cn-business-hours.*2026-12-31.*90 days left/) as unknown,
      },
    ]);
    expect(policyHorizonWarnings(defaultPolicy, at('2026-12-31T23:00:00+08:00'))).toMatchObject([
      { code: 'calendar-horizon-near', message: expect.stringMatching(/1 day left/) as unknown },
    ]);
  });

  it('warns once the horizon has passed', () => {
    expect(policyHorizonWarnings(defaultPolicy, at('2027-01-01T00:00:00+08:00'))).toMatchObject([
      { code: 'calendar-horizon-passed', calendar: 'cn-business-hours' },
    ]);
  });

  it('warns about a calendar that lists holidays without saying how far they go', () => {
    const policy = policyWith((doc) => {
      delete doc.calendars['cn-business-hours']!.holidaysKnownThrough;
      doc.calendars['de-business-hours']!.closedDates = ['2026-12-25'];
      doc.calendars['de-business-hours']!.holidaysKnownThrough = '2027-12-31';
    });
    expect(policyHorizonWarnings(policy, at('2026-11-30T00:00:00Z'))).toEqual([
      {
        code: 'calendar-horizon-missing',
        calendar: 'cn-business-hours',
        message: expect.stringMatching(/holidaysKnownThrough/) as unknown,
      },
    ]);
  });
});
