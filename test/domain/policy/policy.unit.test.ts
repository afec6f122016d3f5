import { describe, expect, it } from 'vitest';
import { defaultPolicyDocument } from '../../../src/domain/policy/defaultPolicy.js';
import { parsePolicy, type PolicyInput } from '../../../src/domain/policy/policy.js';

/** A copy of the default document with one thing broken. */
const broken = (breakIt: (doc: PolicyInput) => void): PolicyInput => {
  const doc = structuredClone(defaultPolicyDocument);
  breakIt(doc);
  return doc;
};

const vianet = (doc: PolicyInput) => doc.offerings['21vianet']!;
const business = (doc: PolicyInput) => doc.offerings['business']!;

/** The issues of a policy that must fail. */
const issuesOf = (input: unknown) => {
  const result = parsePolicy(input);
  if (result.ok) throw new Error('expected the policy to be invalid');
  expect(result.error.code).toBe('policy-invalid');
  return result.error.issues;
};

describe('parsePolicy', () => {
  it('accepts the default policy document', () => {
    const result = parsePolicy(defaultPolicyDocument);
    expect(result.ok).toBe(true);
  });

  it('accepts the default document after a JSON round trip (it is plain data)', () => {
    const result = parsePolicy(JSON.parse(JSON.stringify(defaultPolicyDocument)));
    expect(result.ok).toBe(true);
  });

  it('rejects a non-object with issues and a summary message', () => {
    const result = parsePolicy(42);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/^the policy is invalid/);
  });

  it('names an unknown calendar referenced by a severity', () => {
    const issues = issuesOf(
      broken((doc) => {
        vianet(doc).lines['technical']!.severities.B!.calendar = 'cn-dialy';
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('offerings.21vianet.lines.technical.severities.B.calendar');
    expect(issues[0]?.message).toMatch('unknown calendar "cn-dialy"');
  });

  it('rejects an at-risk threshold that is not a share between 0 and 1, naming where', () => {
    for (const share of [0, 1, 1.5, -0.2]) {
      const issues = issuesOf(
        broken((doc) => {
          vianet(doc).lines['technical']!.severities.B!.responseAtRisk = share;
        }),
      );
      expect(issues.map((i) => i.path)).toEqual([
        'offerings.21vianet.lines.technical.severities.B.responseAtRisk',
      ]);
      expect(issues[0]?.message).toMatch(
        /an at-risk threshold is a share of the target (above 0|below 1)/,
      );
    }
    expect(
      parsePolicy(
        broken((doc) => (vianet(doc).lines['technical']!.severities.B!.responseAtRisk = 0.8)),
      ).ok,
    ).toBe(true);
  });

  it('validates the further targets: a positive target, a share for at risk, known names', () => {
    const at = 'offerings.21vianet.lines.technical.severities.B';
    const cell = (doc: PolicyInput) => vianet(doc).lines['technical']!.severities.B!;
    const zero = issuesOf(broken((doc) => (cell(doc).resolution = { target: { hours: 0 } })));
    expect(zero.map((i) => [i.path, i.message])).toEqual([
      [`${at}.resolution.target`, 'a target needs some business time (for example { "hours": 4 })'],
    ]);
    const share = issuesOf(
      broken((doc) => (cell(doc).nextReply = { target: { hours: 4 }, atRisk: 1.5 })),
    );
    expect(share.map((i) => i.path)).toEqual([`${at}.nextReply.atRisk`]);
    const misspelt = issuesOf(
      broken((doc) => Object.assign(cell(doc), { periodicUpdates: { target: { hours: 4 } } })),
    );
    expect(misspelt[0]?.message).toMatch(/periodicUpdates/);
    const fine = parsePolicy(
      broken((doc) => {
        cell(doc).resolution = { target: { businessDays: 3 }, atRisk: 0.75 };
        cell(doc).nextReply = { target: { hours: 4 } };
        cell(doc).periodicUpdate = { target: { businessDays: 1 }, atRisk: 0.5 };
      }),
    );
    expect(fine.ok).toBe(true);
  });

  it('names an unknown calendar referenced by a line', () => {
    const issues = issuesOf(
      broken((doc) => {
        vianet(doc).lines['billing']!.calendar = 'nowhere';
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(['offerings.21vianet.lines.billing.calendar']);
  });

  it('names an unknown calendar inside byRegion', () => {
    const issues = issuesOf(
      broken((doc) => {
        business(doc).lines['billing']!.calendar = { byRegion: { US: 'us-hours' } };
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('offerings.business.lines.billing.calendar.byRegion.US');
    expect(issues[0]?.message).toMatch('unknown calendar "us-hours"');
  });

  it('names an unknown default calendar of a regional reference', () => {
    const issues = issuesOf(
      broken((doc) => {
        business(doc).lines['presales']!.calendar = {
          byRegion: { US: 'us-business-hours' },
          default: 'x',
        };
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'offerings.business.lines.presales.calendar.default',
    ]);
  });

  it('rejects byRegion naming a region the offering does not list', () => {
    const issues = issuesOf(
      broken((doc) => {
        business(doc).lines['billing']!.calendar = { byRegion: { FR: 'uk-business-hours' } };
      }),
    );
    expect(issues).toEqual([
      {
        path: 'offerings.business.lines.billing.calendar.byRegion.FR',
        message: 'region "FR" is not one of offering business\'s regions (US, CA, AU, UK)',
      },
    ]);
  });

  it('rejects byRegion on an offering without regions', () => {
    const issues = issuesOf(
      broken((doc) => {
        vianet(doc).lines['billing']!.calendar = { byRegion: { CN: 'cn-business-hours' } };
      }),
    );
    expect(issues[0]?.path).toBe('offerings.21vianet.lines.billing.calendar.byRegion.CN');
    expect(issues[0]?.message).toMatch(/lists no regions/);
  });

  it('rejects a calendar reference of the wrong shape', () => {
    const issues = issuesOf(
      broken((doc) => {
        (vianet(doc).lines['billing'] as { calendar: unknown }).calendar = 42;
      }),
    );
    expect(issues[0]?.path).toBe('offerings.21vianet.lines.billing.calendar');
    expect(issues[0]?.message).toMatch(/calendar id/);
  });

  it('rejects overlapping windows', () => {
    const issues = issuesOf(
      broken((doc) => {
        doc.calendars['cn-daily']!.week.mon = [
          ['09:00', '18:00'],
          ['17:00', '24:00'],
        ];
      }),
    );
    expect(issues).toEqual([
      { path: 'calendars.cn-daily.week.mon.1', message: 'window overlaps window 0' },
    ]);
  });

  it('rejects a window that ends before it starts', () => {
    const issues = issuesOf(
      broken((doc) => {
        doc.calendars['cn-daily']!.week.mon = [['18:00', '09:00']];
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('calendars.cn-daily.week.mon.0');
    expect(issues[0]?.message).toMatch(/ends \(09:00\) before/);
  });

  it('rejects a severity above the line maximum (A on billing)', () => {
    const issues = issuesOf(
      broken((doc) => {
        const technicalA = vianet(doc).lines['technical']!.severities.A!;
        vianet(doc).lines['billing']!.severities.A = structuredClone(technicalA);
      }),
    );
    expect(issues).toEqual([
      {
        path: 'offerings.21vianet.lines.billing.severities.A',
        message: 'severity A is not allowed on a line whose maxSeverity is B',
      },
    ]);
  });

  it('rejects a line with no severities', () => {
    const issues = issuesOf(
      broken((doc) => {
        vianet(doc).lines['presales']!.severities = {};
      }),
    );
    expect(issues).toEqual([
      {
        path: 'offerings.21vianet.lines.presales.severities',
        message: 'a line needs at least one severity',
      },
    ]);
  });

  it('rejects a bad calendar time zone', () => {
    const issues = issuesOf(
      broken((doc) => {
        doc.calendars['cn-daily']!.zone = 'Asia/Beijing';
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('calendars.cn-daily.zone');
    expect(issues[0]?.message).toMatch(/IANA time zone/);
  });

  it('rejects a bad offering time zone', () => {
    const issues = issuesOf(
      broken((doc) => {
        vianet(doc).zone = 'Mars/Olympus_Mons';
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('offerings.21vianet.zone');
    expect(issues[0]?.message).toMatch(/IANA time zone/);
  });

  it('rejects categories without "other"', () => {
    const issues = issuesOf(
      broken((doc) => {
        const line = vianet(doc).lines['billing']!;
        line.categories = line.categories.filter((c) => c !== 'other');
      }),
    );
    expect(issues).toEqual([
      {
        path: 'offerings.21vianet.lines.billing.categories',
        message: 'categories must include "other"',
      },
    ]);
  });

  it('rejects duplicate categories at the duplicate', () => {
    const issues = issuesOf(
      broken((doc) => {
        vianet(doc).lines['billing']!.categories.push('renewal');
      }),
    );
    expect(issues).toEqual([
      {
        path: 'offerings.21vianet.lines.billing.categories.7',
        message: 'duplicate category "renewal"',
      },
    ]);
  });

  it('rejects unknown fields (typos) in the file', () => {
    const issues = issuesOf(
      broken((doc) => {
        Object.assign(vianet(doc).lines['billing']!, { maxSeverty: 'A' });
      }),
    );
    expect(issues[0]?.path).toBe('offerings.21vianet.lines.billing');
    expect(issues[0]?.message).toMatch(/maxSeverty/);
  });

  it('accepts a calendar without holidaysKnownThrough and reads it as a date when given', () => {
    const doc = structuredClone(defaultPolicyDocument);
    delete doc.calendars['cn-business-hours']!.holidaysKnownThrough;
    expect(parsePolicy(doc).ok).toBe(true);
    doc.calendars['de-business-hours']!.holidaysKnownThrough = '2027-12-31';
    const parsed = parsePolicy(doc);
    expect(parsed.ok && parsed.value.calendars['de-business-hours']!.holidaysKnownThrough).toBe(
      '2027-12-31',
    );
  });

  it('rejects a holidaysKnownThrough that is not a calendar date', () => {
    for (const value of ['31.12.2026', '2026-13-01', '2026-12-31T00:00:00Z', 2026]) {
      const issues = issuesOf(
        broken((doc) => {
          Object.assign(doc.calendars['cn-business-hours']!, { holidaysKnownThrough: value });
        }),
      );
      expect([...new Set(issues.map((i) => i.path))]).toEqual([
        'calendars.cn-business-hours.holidaysKnownThrough',
      ]);
    }
  });

  it('rejects a non-positive auto-close period', () => {
    const issues = issuesOf(
      broken((doc) => {
        doc.autoClose.days = 0;
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(['autoClose.days']);
  });
});
