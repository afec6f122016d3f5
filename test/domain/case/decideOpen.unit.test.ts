import { describe, expect, it } from 'vitest';
import { ada, bo, cy, givenCase, li, auditor, openedEvent } from '../../specs/caseSpec.js';

const at = '2026-11-23T10:00:00+08:00';
const input = (overrides: Record<string, unknown> = {}) => ({
  line: 'technical',
  severity: 'B',
  category: 'exchange-autodiscover',
  title: 'Outlook cannot find the mailbox',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
  ...overrides,
});

describe('open', () => {
  it('opens a case, recording requested and assigned severity and the response due instant', () => {
    givenCase([])
      .when({ type: 'open', actor: ada, at, input: input() })
      .then([
        {
          type: 'CaseOpened',
          data: {
            caseId: 'c1',
            tenant: { id: 'contoso', offering: '21vianet', advancedAgreement: true },
            requestedSeverity: 'B',
            severity: 'B',
            policyVersion: 'seed-2026.2',
            responseCalendar: 'cn-daily',
            // B (1 business day, 09:00–24:00 Beijing) opened Monday 10:00 → due Tuesday 10:00.
            responseDueAt: '2026-11-24T02:00:00.000Z',
          },
        },
      ]);
  });

  it('C opened Monday 10:00 Beijing is due Thursday 10:00', () => {
    givenCase([])
      .when({ type: 'open', actor: ada, at, input: input({ severity: 'C' }) })
      .then([{ type: 'CaseOpened', data: { responseDueAt: '2026-11-26T02:00:00.000Z' } }]);
  });

  it('A with an advanced agreement runs 1 hour on the 24×7 calendar', () => {
    givenCase([])
      .when({
        type: 'open',
        actor: ada,
        at: '2026-11-23T03:00:00+08:00',
        input: input({
          severity: 'A',
          businessImpact: 'Mail is down for 4,000 users.',
          contact: { name: 'Ada', email: 'ada@contoso.example', phone: '+86 21 5555 0100' },
        }),
      })
      .then([
        {
          type: 'CaseOpened',
          data: {
            severity: 'A',
            responseCalendar: '24x7',
            responseDueAt: '2026-11-22T20:00:00.000Z',
          },
        },
      ]);
  });

  it('caps A to B without an advanced agreement and says why', () => {
    givenCase([])
      .when({
        type: 'open',
        actor: bo,
        at,
        input: input({ severity: 'A', contact: { name: 'Bo', phone: '+86 10 5555 0199' } }),
      })
      .then([
        {
          type: 'CaseOpened',
          data: { requestedSeverity: 'A', severity: 'B', severityReason: 'no-advanced-agreement' },
        },
      ]);
  });

  it('caps billing at B and pre-sales at C', () => {
    givenCase([])
      .when({
        type: 'open',
        actor: ada,
        at,
        input: input({
          line: 'billing',
          category: 'renewal',
          severity: 'A',
          businessImpact: 'x',
          contact: { name: 'Ada', phone: '+86 1' + '2345678' },
        }),
      })
      .then([
        {
          type: 'CaseOpened',
          data: { requestedSeverity: 'A', severity: 'B', severityReason: 'line-maximum' },
        },
      ]);
    givenCase([])
      .when({
        type: 'open',
        actor: ada,
        at,
        input: input({ line: 'presales', category: 'plan-comparison', severity: 'B' }),
      })
      .then([
        {
          type: 'CaseOpened',
          data: { requestedSeverity: 'B', severity: 'C', severityReason: 'line-maximum' },
        },
      ]);
  });

  it('records the severity the impact assessment proposes', () => {
    givenCase([])
      .when({
        type: 'open',
        actor: ada,
        at,
        input: input({ impact: { services: 'minimal', users: 'one', workaround: true } }),
      })
      .then([{ type: 'CaseOpened', data: { proposedSeverity: 'C', severity: 'B' } }]);
  });

  it('refuses a customer user, telling them to ask their admin or use the community forums', () => {
    const error = givenCase([])
      .when({ type: 'open', actor: cy, at, input: input() })
      .thenRefused('forbidden');
    expect(error.message).toMatch(/admin/);
    expect(error.message).toMatch(/community forums/);
  });

  it('refuses agents and auditors', () => {
    givenCase([]).when({ type: 'open', actor: li, at, input: input() }).thenRefused('forbidden');
    givenCase([])
      .when({ type: 'open', actor: auditor, at, input: input() })
      .thenRefused('forbidden');
  });

  it('needs a contact with a name and an e-mail or phone', () => {
    const error = givenCase([])
      .when({ type: 'open', actor: ada, at, input: input({ contact: { name: 'Ada' } }) })
      .thenRefused('validation');
    expect(error.issues).toContainEqual(expect.objectContaining({ path: 'contact.email' }));
    givenCase([])
      .when({ type: 'open', actor: ada, at, input: input({ contact: undefined }) })
      .thenRefused('validation');
  });

  it('severity A needs a business-impact statement and a 24×7 phone contact', () => {
    const error = givenCase([])
      .when({ type: 'open', actor: ada, at, input: input({ severity: 'A' }) })
      .thenRefused('validation', /severity A/);
    expect(error.issues.map((i) => i.path)).toEqual(['businessImpact', 'contact.phone']);
  });

  it('refuses unknown lines, categories and fields, and wrong types', () => {
    givenCase([])
      .when({ type: 'open', actor: ada, at, input: input({ line: 'hardware' }) })
      .thenRefused('validation', /line/);
    givenCase([])
      .when({ type: 'open', actor: ada, at, input: input({ category: 'renewal' }) })
      .thenRefused('validation', /category/);
    givenCase([])
      .when({ type: 'open', actor: ada, at, input: input({ colour: 'red' }) })
      .thenRefused('validation');
    givenCase([])
      .when({ type: 'open', actor: ada, at, input: input({ severity: 'D' }) })
      .thenRefused('validation');
    givenCase([])
      .when({ type: 'open', actor: ada, at, input: input({ title: 42 }) })
      .thenRefused('validation');
  });

  it('refuses to open a case id that exists', () => {
    givenCase([openedEvent()])
      .when({ type: 'open', actor: ada, at, input: input() })
      .thenRefused('invalid-transition', /already exists/);
  });

  it('refuses a tenant it does not know', () => {
    givenCase([], { tenants: [] })
      .when({ type: 'open', actor: ada, at, input: input() })
      .thenRefused('not-found');
  });
});
