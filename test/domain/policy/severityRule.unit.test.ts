import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/domain/policy/defaultPolicy.js';
import {
  lineCalendarId,
  lookupSeverityRule,
  resolveCalendarRef,
} from '../../../src/domain/policy/severityRule.js';

describe('lookupSeverityRule', () => {
  it('finds 21vianet technical B on the 09:00–24:00 calendar', () => {
    expect(
      lookupSeverityRule(defaultPolicy, { offering: '21vianet', line: 'technical', severity: 'B' }),
    ).toEqual({
      ok: true,
      value: {
        offering: '21vianet',
        line: 'technical',
        severity: 'B',
        responseTarget: { businessDays: 1 },
        calendarId: 'cn-daily',
        nonresponse: { businessDays: 2 },
        requiresAdvancedAgreement: false,
      },
    });
  });

  it('finds technical A on 24x7 with an advanced agreement required', () => {
    const result = lookupSeverityRule(defaultPolicy, {
      offering: '21vianet',
      line: 'technical',
      severity: 'A',
    });
    expect(result.ok && result.value).toMatchObject({
      responseTarget: { hours: 1 },
      calendarId: '24x7',
      nonresponse: { hours: 4 },
      requiresAdvancedAgreement: true,
    });
  });

  it('refuses 21vianet billing A as severity-not-offered', () => {
    const result = lookupSeverityRule(defaultPolicy, {
      offering: '21vianet',
      line: 'billing',
      severity: 'A',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('severity-not-offered');
      expect(result.error.message).toBe(
        'severity A is not offered on the billing line of 21vianet (highest is B)',
      );
    }
  });

  it('refuses presales B', () => {
    const result = lookupSeverityRule(defaultPolicy, {
      offering: 'business',
      line: 'presales',
      severity: 'B',
      region: 'US',
    });
    expect(!result.ok && result.error.message).toBe(
      'severity B is not offered on the presales line of business (highest is C)',
    );
  });

  it('names the known offerings and lines on unknown ids', () => {
    const offering = lookupSeverityRule(defaultPolicy, {
      offering: 'azure',
      line: 'technical',
      severity: 'B',
    });
    expect(!offering.ok && offering.error.code).toBe('validation');
    expect(!offering.ok && offering.error.message).toBe(
      'unknown offering "azure" (known: 21vianet, office365-germany, business)',
    );
    const line = lookupSeverityRule(defaultPolicy, {
      offering: '21vianet',
      line: 'sales',
      severity: 'C',
    });
    expect(!line.ok && line.error.message).toBe(
      'unknown line "sales" for offering 21vianet (known: technical, billing, presales)',
    );
  });

  it('does not mistake prototype properties for offerings', () => {
    const result = lookupSeverityRule(defaultPolicy, {
      offering: 'constructor',
      line: 'technical',
      severity: 'B',
    });
    expect(!result.ok && result.error.code).toBe('validation');
  });

  it('resolves regional calendars for business billing', () => {
    const au = lookupSeverityRule(defaultPolicy, {
      offering: 'business',
      line: 'billing',
      severity: 'B',
      region: 'AU',
    });
    expect(au.ok && au.value.calendarId).toBe('au-business-hours');
    const none = lookupSeverityRule(defaultPolicy, {
      offering: 'business',
      line: 'billing',
      severity: 'B',
    });
    expect(!none.ok && none.error.code).toBe('validation');
    expect(!none.ok && none.error.message).toBe(
      'offering business needs a region (US, CA, AU, UK)',
    );
    const fr = lookupSeverityRule(defaultPolicy, {
      offering: 'business',
      line: 'billing',
      severity: 'C',
      region: 'FR',
    });
    expect(!fr.ok && fr.error.message).toMatch(/no calendar for region "FR"/);
  });

  it('ignores the region on non-regional calendars', () => {
    const result = lookupSeverityRule(defaultPolicy, {
      offering: 'business',
      line: 'technical',
      severity: 'C',
      region: 'UK',
    });
    expect(result.ok && result.value.calendarId).toBe('24x7');
  });
});

describe('resolveCalendarRef', () => {
  it('falls back to the default calendar', () => {
    const ref = { byRegion: { US: 'us-business-hours' }, default: 'uk-business-hours' };
    expect(resolveCalendarRef(defaultPolicy, 'business', ref, 'UK')).toEqual({
      ok: true,
      value: 'uk-business-hours',
    });
    expect(resolveCalendarRef(defaultPolicy, 'business', ref)).toEqual({
      ok: true,
      value: 'uk-business-hours',
    });
    expect(resolveCalendarRef(defaultPolicy, 'business', ref, 'US')).toEqual({
      ok: true,
      value: 'us-business-hours',
    });
  });
});

describe('lineCalendarId', () => {
  it("gives the line's opening hours", () => {
    expect(lineCalendarId(defaultPolicy, '21vianet', 'billing')).toEqual({
      ok: true,
      value: 'cn-business-hours',
    });
    expect(lineCalendarId(defaultPolicy, 'office365-germany', 'technical')).toEqual({
      ok: true,
      value: '24x7',
    });
    expect(lineCalendarId(defaultPolicy, 'business', 'presales', 'CA')).toEqual({
      ok: true,
      value: 'ca-business-hours',
    });
  });
});
