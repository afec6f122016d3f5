import { describe, expect, it } from 'vitest';
import { assessImpact } from '../../../src/domain/policy/assessImpact.js';
import { impactSchema, type Impact } from '../../../src/domain/policy/impactAssessment.js';

describe('assessImpact — the seed severity table examples', () => {
  const examples: [string, Impact, 'A' | 'B' | 'C'][] = [
    ['SharePoint site down', { services: 'unusable', users: 'multiple', workaround: false }, 'A'],
    [
      'Widespread problems sending or receiving mail',
      { services: 'unusable', users: 'multiple', workaround: false },
      'A',
    ],
    [
      'Send button in Outlook is garbled',
      { services: 'impaired', users: 'one', workaround: false },
      'B',
    ],
    // A defect in the admin center reaches every admin using it (not a single user's disruption);
    // PowerShell is the workaround. The seed lists it under B.
    [
      'Setting is impossible from EAC but possible in PowerShell',
      { services: 'impaired', users: 'multiple', workaround: true },
      'B',
    ],
    [
      'How to set user password that never expires',
      { services: 'minimal', users: 'one', workaround: false },
      'C',
    ],
    [
      "User can't delete contact information in Exchange Online",
      { services: 'minimal', users: 'one', workaround: false },
      'C',
    ],
  ];

  it.each(examples)('%s', (_title, impact, expected) => {
    expect(assessImpact(impact)).toBe(expected);
  });
});

describe('assessImpact — the rule', () => {
  it('gives C to a single user with a workaround (seed: partial disruption, acceptable workaround)', () => {
    expect(assessImpact({ services: 'impaired', users: 'one', workaround: true })).toBe('C');
  });

  it('gives B when unusable services have a workaround or reach one user', () => {
    expect(assessImpact({ services: 'unusable', users: 'multiple', workaround: true })).toBe('B');
    expect(assessImpact({ services: 'unusable', users: 'one', workaround: false })).toBe('B');
  });

  it('gives C to minimal impact whatever the reach', () => {
    expect(assessImpact({ services: 'minimal', users: 'multiple', workaround: false })).toBe('C');
  });
});

describe('impactSchema', () => {
  it('accepts the three questions and rejects anything else', () => {
    expect(
      impactSchema.safeParse({ services: 'impaired', users: 'one', workaround: true }).success,
    ).toBe(true);
    expect(
      impactSchema.safeParse({ services: 'down', users: 'one', workaround: true }).success,
    ).toBe(false);
    expect(impactSchema.safeParse({ services: 'minimal', users: 'one' }).success).toBe(false);
  });
});
