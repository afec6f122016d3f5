/*
 * Over 300 lines, on purpose: one data document (calendars, offerings, lines and their severity
 * matrices), which reads best whole.
 *
 * The built-in policy, reproducing the provider's published support policy (the seed) as
 * docs/design.md §2 turns it into data. Its `note` below is part of the recorded policy
 * version and stays as recorded.
 *
 * Every rule the seed does not state carries a `note` beginning with "(assumption)".
 * The helpers below only avoid repeating the same A/B/C table; the result is plain data.
 */
import { parsePolicy, type CalendarRef, type Policy, type PolicyInput } from './policy.js';

type SeverityCell = NonNullable<
  PolicyInput['offerings'][string]['lines'][string]['severities']['A']
>;

const allDay = [['00:00', '24:00']] as [string, string][];
const weekdaysOnly = (from: string, to: string) => {
  const w = [[from, to]] as [string, string][];
  return { mon: w, tue: w, wed: w, thu: w, fri: w };
};

/** Business-hours calendar used by the `business` offering in one region. */
const regionalHours = (zone: string, region: string, to: string) => ({
  zone,
  week: weekdaysOnly('09:00', to),
  note:
    `(assumption) ${region} business hours are read in ${zone} (the seed says "local time"); ` +
    'public holidays not modelled (no closed dates, so no holidaysKnownThrough).',
});

/** The seed's A/B/C initial-response targets (21vianet table). */
const target = {
  A: { hours: 1 },
  B: { businessDays: 1 },
  C: { businessDays: 3 },
} as const;

/** (assumption) "Reasonable time" before support may lower the severity (seed footnote 1). */
const nonresponse = {
  A: { hours: 4 },
  B: { businessDays: 2 },
  C: { businessDays: 5 },
} as const;

const nonresponseNote = {
  A: '(assumption) customer nonresponse period 4 hours on the same 24×7 calendar.',
  B: '(assumption) customer nonresponse period 2 business days on the same calendar as the target.',
  C: '(assumption) customer nonresponse period 5 business days on the same calendar as the target.',
} as const;

const cell = (
  severity: 'A' | 'B' | 'C',
  calendar: CalendarRef,
  extraNote?: string,
): SeverityCell => ({
  responseTarget: { ...target[severity] },
  calendar,
  nonresponse: { ...nonresponse[severity] },
  ...(severity === 'A' ? { requiresAdvancedAgreement: true } : {}),
  note:
    extraNote === undefined
      ? nonresponseNote[severity]
      : `${nonresponseNote[severity]} ${extraNote}`,
});

const otherOfferingTable =
  "(assumption) the seed gives no response targets for this offering: the 21vianet A/B/C table on this line's own calendar.";

const taxonomy = {
  technical: [
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
  ],
  billing: [
    'trial-signup',
    'trial-conversion',
    'understanding-the-bill',
    'renewal',
    'licenses',
    'cancellation',
    'other',
  ],
  presales: [
    'features-and-benefits',
    'plan-comparison',
    'pricing-and-licensing',
    'find-a-partner',
    'trial-purchase',
    'other',
  ],
};

const vianetPhones = [{ label: '21Vianet support', number: '(86) 400-089-0365' }];
const germanyPhones = [
  { label: 'Germany', number: '0800 589 2330', region: 'DE' },
  {
    label: 'Germany (alternative)',
    number: '069 380 789 305',
    region: 'DE',
    note: 'Local call charges apply.',
  },
  {
    label: 'All other markets within the European Economic Area',
    number: '+49 69 380 789 305',
    region: 'EEA',
    note: 'International call to Germany; international call charges apply.',
  },
];
const businessPhones = [
  { label: 'United States', number: '1 800 865 9408', region: 'US' },
  { label: 'Canada', number: '1 800 865 9408', region: 'CA' },
  { label: 'Australia', number: '1 800 197 503', region: 'AU' },
  { label: 'United Kingdom', number: '0800 032 6417', region: 'UK' },
];
const businessHours: CalendarRef = {
  byRegion: {
    US: 'us-business-hours',
    CA: 'ca-business-hours',
    AU: 'au-business-hours',
    UK: 'uk-business-hours',
  },
};

/** The State Council's 2025 holiday notice: closed days of the Mon–Fri China calendar. */
const chinaHolidays2025 = [
  '2025-01-01', // New Year
  ...['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'], // Spring Festival
  ...['2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04'],
  ...['2025-04-04', '2025-04-05', '2025-04-06'], // Qingming
  ...['2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04', '2025-05-05'], // Labour Day
  ...['2025-05-31', '2025-06-01', '2025-06-02'], // Dragon Boat
  ...['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04'], // National Day and Mid-Autumn
  ...['2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08'],
];

/** The same notice's make-up working days (weekends that are open). */
const chinaMakeUpDays2025 = [
  '2025-01-26', // Spring Festival
  '2025-02-08', // Spring Festival
  '2025-04-27', // Labour Day
  '2025-09-28', // National Day
  '2025-10-11', // National Day
];

/** 2026 State Council notice (2025-11-04): closed days of the Mon–Fri China calendar. */
const chinaHolidays2026 = [
  ...['2026-01-01', '2026-01-02', '2026-01-03'], // New Year
  ...['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19'], // Spring Festival
  ...['2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23'],
  ...['2026-04-04', '2026-04-05', '2026-04-06'], // Qingming
  ...['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05'], // Labour Day
  ...['2026-06-19', '2026-06-20', '2026-06-21'], // Dragon Boat
  ...['2026-09-25', '2026-09-26', '2026-09-27'], // Mid-Autumn
  ...[
    '2026-10-01',
    '2026-10-02',
    '2026-10-03',
    '2026-10-04',
    '2026-10-05',
    '2026-10-06',
    '2026-10-07',
  ], // National Day
];

/** The same notice's make-up working days (weekends that are open). */
const chinaMakeUpDays2026 = [
  '2026-01-04', // New Year
  '2026-02-14', // Spring Festival
  '2026-02-28', // Spring Festival
  '2026-05-09', // Labour Day
  '2026-09-20', // National Day
  '2026-10-10', // National Day
];

const document: PolicyInput = {
  // A recorded version never changes content: .2 added the 2025 China holidays and the horizon.
  version: 'seed-2026.2',
  note: 'Built-in default reproducing seed/support-policy.txt (DESIGN.md §2).',
  calendars: {
    '24x7': {
      zone: 'UTC',
      week: {
        mon: allDay,
        tue: allDay,
        wed: allDay,
        thu: allDay,
        fri: allDay,
        sat: allDay,
        sun: allDay,
      },
      businessDayHours: 24,
      note: 'Seed: 24*7 continuous service. One business day is 24 real hours; the zone does not matter.',
    },
    'cn-daily': {
      zone: 'Asia/Shanghai',
      week: {
        mon: [['09:00', '24:00']],
        tue: [['09:00', '24:00']],
        wed: [['09:00', '24:00']],
        thu: [['09:00', '24:00']],
        fri: [['09:00', '24:00']],
        sat: [['09:00', '24:00']],
        sun: [['09:00', '24:00']],
      },
      closedDates: [],
      businessDayHours: 15,
      note: 'Seed: severity B/C 9:00–24:00 Beijing time, every day, 365 days (no closed dates).',
    },
    'cn-business-hours': {
      zone: 'Asia/Shanghai',
      week: weekdaysOnly('09:00', '18:00'),
      closedDates: [...chinaHolidays2025, ...chinaHolidays2026],
      extraOpenDates: [...chinaMakeUpDays2025, ...chinaMakeUpDays2026].map((date) => ({ date })),
      holidaysKnownThrough: '2026-12-31',
      businessDayHours: 9,
      note:
        '(assumption) China business hours are 09:00–18:00 Beijing time Monday–Friday (business day 9 h). ' +
        "Closed dates and make-up working days are the State Council's 2025 and 2026 holiday notices; " +
        'no 2027 schedule is known yet: deadlines past 2026-12-31 use the weekly hours only and are flagged. ' +
        'Import the next notice as a new policy version when it is published.',
    },
    'de-business-hours': {
      zone: 'Europe/Berlin',
      week: weekdaysOnly('09:00', '17:00'),
      businessDayHours: 8,
      note:
        '(assumption) public holidays not modelled (no closed dates, so no holidaysKnownThrough). ' +
        'Seed: Mon–Fri 9–5 Berlin.',
    },
    'us-business-hours': regionalHours('America/New_York', 'US', '17:00'),
    'ca-business-hours': regionalHours('America/Toronto', 'CA', '17:00'),
    'au-business-hours': regionalHours('Australia/Sydney', 'AU', '18:00'),
    'uk-business-hours': regionalHours('Europe/London', 'UK', '17:00'),
  },
  autoClose: {
    days: 7,
    note: '(assumption) a resolved case closes itself 7 calendar days after resolution; until then it may be reopened.',
  },
  offerings: {
    '21vianet': {
      name: 'Office 365 operated by 21Vianet',
      zone: 'Asia/Shanghai',
      lines: {
        technical: {
          name: 'Technical support',
          languages: ['zh', 'en'],
          maxSeverity: 'A',
          calendar: '24x7',
          phones: vianetPhones,
          categories: taxonomy.technical,
          severities: {
            A: cell(
              'A',
              '24x7',
              'Seed: 1 hour or less, follow-up until resolution; advanced agreement only.',
            ),
            B: cell('B', 'cn-daily'),
            C: cell('C', 'cn-daily'),
          },
          note: '(assumption) languages Chinese and English (the seed does not say).',
        },
        billing: {
          name: 'Billing and subscription management support',
          languages: ['zh', 'en'],
          maxSeverity: 'B',
          calendar: 'cn-business-hours',
          phones: vianetPhones,
          categories: taxonomy.billing,
          severities: {
            B: cell(
              'B',
              'cn-business-hours',
              "(assumption) targets run on the billing line's hours.",
            ),
            C: cell(
              'C',
              'cn-business-hours',
              "(assumption) targets run on the billing line's hours.",
            ),
          },
          note: '(assumption) languages Chinese and English (the seed does not say). Seed: highest severity B.',
        },
        presales: {
          name: 'Pre-sales support',
          languages: ['zh', 'en'],
          maxSeverity: 'C',
          calendar: 'cn-business-hours',
          phones: vianetPhones,
          categories: taxonomy.presales,
          severities: {
            C: cell(
              'C',
              'cn-business-hours',
              "(assumption) targets run on the pre-sales line's hours.",
            ),
          },
          note:
            '(assumption) "local business hours Monday–Friday" are the China business hours calendar; ' +
            'severity C only; languages Chinese and English. Seed: same phone number as technical support.',
        },
      },
    },
    'office365-germany': {
      name: 'Office 365 Germany',
      zone: 'Europe/Berlin',
      lines: {
        technical: {
          name: 'Technical support',
          languages: ['de', 'en'],
          maxSeverity: 'A',
          calendar: '24x7',
          phones: germanyPhones,
          categories: taxonomy.technical,
          severities: {
            A: cell(
              'A',
              '24x7',
              `${otherOfferingTable} Severity A needs an advanced agreement here too.`,
            ),
            B: cell('B', '24x7', otherOfferingTable),
            C: cell('C', '24x7', otherOfferingTable),
          },
        },
        billing: {
          name: 'Billing support',
          languages: ['de', 'en'],
          maxSeverity: 'B',
          calendar: 'de-business-hours',
          phones: germanyPhones,
          categories: taxonomy.billing,
          severities: {
            B: cell('B', 'de-business-hours', otherOfferingTable),
            C: cell('C', 'de-business-hours', otherOfferingTable),
          },
          note: '(assumption) billing is at most severity B, as for 21vianet.',
        },
        presales: {
          name: 'Pre-sales support',
          languages: ['de', 'en'],
          maxSeverity: 'C',
          calendar: 'de-business-hours',
          phones: germanyPhones,
          categories: taxonomy.presales,
          severities: { C: cell('C', 'de-business-hours', otherOfferingTable) },
          note:
            '(assumption) the seed gives no pre-sales hours for Germany: billing hours (Mon–Fri 09:00–17:00 Berlin), ' +
            'German and English, the same phone numbers, severity C only.',
        },
      },
    },
    business: {
      name: 'Microsoft 365 business products',
      zone: 'America/New_York',
      regions: ['US', 'CA', 'AU', 'UK'],
      note: '(assumption) reporting days are counted in America/New_York.',
      lines: {
        technical: {
          name: 'Technical support',
          languages: ['en'],
          maxSeverity: 'A',
          calendar: '24x7',
          phones: businessPhones,
          categories: taxonomy.technical,
          severities: {
            A: cell(
              'A',
              '24x7',
              `${otherOfferingTable} Severity A needs an advanced agreement here too.`,
            ),
            B: cell('B', '24x7', otherOfferingTable),
            C: cell('C', '24x7', otherOfferingTable),
          },
        },
        billing: {
          name: 'Billing support',
          languages: ['en'],
          maxSeverity: 'B',
          calendar: businessHours,
          phones: businessPhones,
          categories: taxonomy.billing,
          severities: {
            B: cell('B', businessHours, otherOfferingTable),
            C: cell('C', businessHours, otherOfferingTable),
          },
          note: '(assumption) billing is at most severity B, as for 21vianet.',
        },
        presales: {
          name: 'Pre-sales support',
          languages: ['en'],
          maxSeverity: 'C',
          calendar: businessHours,
          phones: businessPhones,
          categories: taxonomy.presales,
          severities: { C: cell('C', businessHours, otherOfferingTable) },
          note:
            '(assumption) the seed gives no pre-sales hours for business products: the regional billing hours, ' +
            'English, the same phone numbers, severity C only.',
        },
      },
    },
  },
};

/**
 * The default policy file's content: plain JSON data and a tree (no shared sub-objects), so a
 * copy can be edited in one place — e.g. to derive a new policy version.
 */
export const defaultPolicyDocument = JSON.parse(JSON.stringify(document)) as PolicyInput;

const parsed = parsePolicy(defaultPolicyDocument);
if (!parsed.ok) {
  throw new Error(`the built-in default policy does not parse: ${parsed.error.message}`);
}

/** The default policy, parsed once. */
export const defaultPolicy: Policy = parsed.value;
