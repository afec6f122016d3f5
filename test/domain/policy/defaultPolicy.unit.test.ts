import { describe, expect, it } from 'vitest';
import { addBusinessTime } from '../../../src/domain/policy/businessCalendar.js';
import { defaultPolicy } from '../../../src/domain/policy/defaultPolicy.js';
import { policyCalendar } from '../../../src/domain/policy/policyCalendars.js';

const line = (offering: string, lineId: string) =>
  defaultPolicy.offerings[offering]!.lines[lineId]!;
const assumption = /^\(assumption\) /;

describe('defaultPolicy: the seed support policy as data', () => {
  it('has the three offerings with their zones and regions', () => {
    expect(Object.keys(defaultPolicy.offerings)).toEqual([
      '21vianet',
      'office365-germany',
      'business',
    ]);
    expect(defaultPolicy.offerings['21vianet']!.zone).toBe('Asia/Shanghai');
    expect(defaultPolicy.offerings['office365-germany']!.zone).toBe('Europe/Berlin');
    expect(defaultPolicy.offerings['business']!.regions).toEqual(['US', 'CA', 'AU', 'UK']);
    for (const offering of Object.values(defaultPolicy.offerings)) {
      expect(Object.keys(offering.lines)).toEqual(['technical', 'billing', 'presales']);
    }
  });

  it('reproduces the 21vianet severity table', () => {
    const technical = line('21vianet', 'technical');
    expect(technical.severities.A).toMatchObject({
      responseTarget: { hours: 1 },
      calendar: '24x7',
      nonresponse: { hours: 4 },
      requiresAdvancedAgreement: true,
    });
    expect(technical.severities.B).toMatchObject({
      responseTarget: { businessDays: 1 },
      calendar: 'cn-daily',
      nonresponse: { businessDays: 2 },
      requiresAdvancedAgreement: false,
    });
    expect(technical.severities.C).toMatchObject({
      responseTarget: { businessDays: 3 },
      calendar: 'cn-daily',
      nonresponse: { businessDays: 5 },
    });
    const billing = line('21vianet', 'billing');
    expect(billing.maxSeverity).toBe('B');
    expect(Object.keys(billing.severities)).toEqual(['B', 'C']);
    expect(billing.severities.B?.calendar).toBe('cn-business-hours');
    const presales = line('21vianet', 'presales');
    expect(presales.maxSeverity).toBe('C');
    expect(Object.keys(presales.severities)).toEqual(['C']);
    expect(presales.calendar).toBe('cn-business-hours');
  });

  it('has the calendars of the seed', () => {
    const daily = defaultPolicy.calendars['cn-daily']!;
    expect(daily.zone).toBe('Asia/Shanghai');
    expect(daily.week.sun).toEqual([['09:00', '24:00']]);
    expect(daily.closedDates).toEqual([]);
    expect(daily.businessDayHours).toBe(15);
    const always = defaultPolicy.calendars['24x7']!;
    expect(always.week.sat).toEqual([['00:00', '24:00']]);
    expect(always.businessDayHours).toBe(24);
    const china = defaultPolicy.calendars['cn-business-hours']!;
    expect(china.week.mon).toEqual([['09:00', '18:00']]);
    expect(china.week.sat).toBeUndefined();
    expect(china.businessDayHours).toBe(9);
    expect(defaultPolicy.calendars['de-business-hours']).toMatchObject({
      zone: 'Europe/Berlin',
      week: { fri: [['09:00', '17:00']] },
      businessDayHours: 8,
    });
    expect(defaultPolicy.calendars['au-business-hours']).toMatchObject({
      zone: 'Australia/Sydney',
      week: { mon: [['09:00', '18:00']] },
    });
    expect(defaultPolicy.calendars['us-business-hours']?.week.mon).toEqual([['09:00', '17:00']]);
  });

  it('models the 2026 China holidays and make-up working days', () => {
    const china = defaultPolicy.calendars['cn-business-hours']!;
    expect(china.closedDates.filter((d) => d.startsWith('2026-'))).toHaveLength(33);
    for (const date of [
      '2026-01-01',
      '2026-02-15',
      '2026-02-23',
      '2026-04-06',
      '2026-05-05',
      '2026-06-19',
    ]) {
      expect(china.closedDates).toContain(date);
    }
    expect(china.closedDates).toContain('2026-09-27');
    expect(china.closedDates).toContain('2026-10-07');
    expect(china.extraOpenDates.map((d) => d.date).filter((d) => d.startsWith('2026-'))).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
  });

  it("models the 2025 China holidays and make-up working days (the State Council's 2025 notice)", () => {
    const china = defaultPolicy.calendars['cn-business-hours']!;
    const days = (from: string, to: string) => {
      const out: string[] = [];
      for (
        let d = Date.parse(`${from}T00:00:00Z`);
        d <= Date.parse(`${to}T00:00:00Z`);
        d += 86_400_000
      )
        out.push(new Date(d).toISOString().slice(0, 10));
      return out;
    };
    expect(china.closedDates.filter((d) => d.startsWith('2025-'))).toEqual([
      '2025-01-01',
      ...days('2025-01-28', '2025-02-04'),
      ...days('2025-04-04', '2025-04-06'),
      ...days('2025-05-01', '2025-05-05'),
      ...days('2025-05-31', '2025-06-02'),
      ...days('2025-10-01', '2025-10-08'),
    ]);
    expect(china.extraOpenDates.map((d) => d.date).filter((d) => d.startsWith('2025-'))).toEqual([
      '2025-01-26',
      '2025-02-08',
      '2025-04-27',
      '2025-09-28',
      '2025-10-11',
    ]);
  });

  it('states how far the China holiday data goes; calendars without holidays need no horizon', () => {
    expect(defaultPolicy.calendars['cn-business-hours']!.holidaysKnownThrough).toBe('2026-12-31');
    for (const [id, calendar] of Object.entries(defaultPolicy.calendars)) {
      if (id === 'cn-business-hours') continue;
      expect(calendar.closedDates, id).toEqual([]);
      expect(calendar.extraOpenDates, id).toEqual([]);
      expect(calendar.holidaysKnownThrough, id).toBeUndefined();
    }
    // No 2027 schedule is invented: it is imported as a new policy version once published.
    const china = defaultPolicy.calendars['cn-business-hours']!;
    expect(
      [...china.closedDates, ...china.extraOpenDates.map((d) => d.date)].sort().at(-1)! <=
        '2026-12-31',
    ).toBe(true);
  });

  it('a billing case before Spring Festival 2025 skips 01-28…02-04 and works 01-26 and 02-08', () => {
    const china = policyCalendar(defaultPolicy, 'cn-business-hours');
    const at = (iso: string) => Date.parse(iso);
    // B, 1 business day (9 h) from Friday 17:00: 1 h on Friday, 8 h on make-up Sunday 01-26.
    expect(addBusinessTime(china, at('2025-01-24T17:00:00+08:00'), { businessDays: 1 })).toBe(
      at('2025-01-26T17:00:00+08:00'),
    );
    // C, 3 business days (27 h) from Monday 01-27 10:00: 8 h, the holiday, 9 h + 9 h, 1 h → 02-07.
    expect(addBusinessTime(china, at('2025-01-27T10:00:00+08:00'), { businessDays: 3 })).toBe(
      at('2025-02-07T10:00:00+08:00'),
    );
    // C nonresponse, 5 business days (45 h): …, 9 h on make-up Saturday 02-08, 1 h on Monday.
    expect(addBusinessTime(china, at('2025-01-27T10:00:00+08:00'), { businessDays: 5 })).toBe(
      at('2025-02-10T10:00:00+08:00'),
    );
    // Golden Week 2025: 10-01…10-08 closed, Saturday 10-11 open.
    expect(addBusinessTime(china, at('2025-09-30T17:00:00+08:00'), { businessDays: 3 })).toBe(
      at('2025-10-11T17:00:00+08:00'),
    );
  });

  it('chooses business billing hours by region', () => {
    const billing = line('business', 'billing');
    expect(billing.calendar).toEqual({
      byRegion: {
        US: 'us-business-hours',
        CA: 'ca-business-hours',
        AU: 'au-business-hours',
        UK: 'uk-business-hours',
      },
    });
    expect(billing.severities.B?.calendar).toEqual(billing.calendar);
    expect(billing.languages).toEqual(['en']);
    expect(line('business', 'technical').calendar).toBe('24x7');
  });

  it('has the Germany lines in German and English', () => {
    expect(line('office365-germany', 'billing')).toMatchObject({
      languages: ['de', 'en'],
      calendar: 'de-business-hours',
      maxSeverity: 'B',
    });
    expect(line('office365-germany', 'technical').severities.A?.requiresAdvancedAgreement).toBe(
      true,
    );
  });

  it('lists the seed phone numbers', () => {
    const numbers = (offering: string) => line(offering, 'technical').phones.map((p) => p.number);
    expect(numbers('21vianet')).toEqual(['(86) 400-089-0365']);
    expect(numbers('office365-germany')).toEqual([
      '0800 589 2330',
      '069 380 789 305',
      '+49 69 380 789 305',
    ]);
    expect(line('business', 'billing').phones).toEqual([
      { label: 'United States', number: '1 800 865 9408', region: 'US' },
      { label: 'Canada', number: '1 800 865 9408', region: 'CA' },
      { label: 'Australia', number: '1 800 197 503', region: 'AU' },
      { label: 'United Kingdom', number: '0800 032 6417', region: 'UK' },
    ]);
  });

  it('has the taxonomy ids of the seed policy on every offering', () => {
    for (const offering of Object.keys(defaultPolicy.offerings)) {
      expect(line(offering, 'technical').categories).toEqual([
        'exchange-mailbox-migration',
        'exchange-recipient-configuration',
        'exchange-autodiscover',
        'sharepoint-permissions',
        'sharepoint-external-users',
        'skype-install-contacts',
        'proplus-install',
        'sso',
        'ad-sync',
        'other',
      ]);
      expect(line(offering, 'billing').categories).toEqual([
        'trial-signup',
        'trial-conversion',
        'understanding-the-bill',
        'renewal',
        'licenses',
        'cancellation',
        'other',
      ]);
      expect(line(offering, 'presales').categories).toEqual([
        'features-and-benefits',
        'plan-comparison',
        'pricing-and-licensing',
        'find-a-partner',
        'trial-purchase',
        'other',
      ]);
    }
  });

  it('marks its assumptions with notes', () => {
    expect(defaultPolicy.autoClose.days).toBe(7);
    expect(defaultPolicy.autoClose.note).toMatch(assumption);
    for (const id of [
      'cn-business-hours',
      'de-business-hours',
      'us-business-hours',
      'au-business-hours',
    ]) {
      expect(defaultPolicy.calendars[id]?.note).toMatch(assumption);
    }
    expect(defaultPolicy.calendars['de-business-hours']?.note).toMatch(
      /public holidays not modelled/,
    );
    expect(line('office365-germany', 'presales').note).toMatch(assumption);
    expect(line('business', 'presales').note).toMatch(assumption);
    expect(line('21vianet', 'presales').note).toMatch(assumption);
    // every severity cell carries the nonresponse assumption
    for (const offering of Object.values(defaultPolicy.offerings)) {
      for (const l of Object.values(offering.lines)) {
        for (const terms of Object.values(l.severities)) {
          expect(terms.note).toMatch(assumption);
        }
      }
    }
  });
});
