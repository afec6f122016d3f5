import { describe, expect, it } from 'vitest';
import { mailAudiences } from '../../src/application/mailAudience.js';
import {
  emptyMailDirectory,
  evolveMailDirectory,
  type MailDirectory,
} from '../../src/application/mailDirectory.js';
import { mailMessages, type CaseMailFacts } from '../../src/application/mailMessages.js';

/** Given/when/then on the pure part: directory events and a case event → the mails. */
const directory = (...events: Array<{ type: string; data: unknown }>): MailDirectory =>
  events.reduce(evolveMailDirectory, emptyMailDirectory());

const issued = (tokenId: string, data: object) => ({
  type: 'TokenIssued',
  data: { tokenId, ...data },
});
const tenant = (id: string, language?: string) => ({
  type: 'TenantRegistered',
  data: {
    tenant: { id, offering: '21vianet', advancedAgreement: true, ...(language && { language }) },
  },
});

const people = directory(
  tenant('contoso'),
  tenant('fabrikam', 'fr'),
  // v1 TokenIssued (before e-mail addresses): read as a person without one.
  issued('t0', { role: 'customer-admin', tenant: 'contoso', name: 'old' }),
  issued('t1', {
    role: 'customer-admin',
    tenant: 'contoso',
    name: 'ada',
    email: 'ada@contoso.example',
    language: 'fr',
  }),
  issued('t2', {
    role: 'customer-admin',
    tenant: 'contoso',
    name: 'cy',
    email: 'cy@contoso.example',
  }),
  issued('t3', {
    role: 'customer-admin',
    tenant: 'fabrikam',
    name: 'bo',
    email: 'bo@fabrikam.example',
  }),
  issued('t4', {
    role: 'customer-user',
    tenant: 'contoso',
    name: 'u',
    email: 'user@contoso.example',
  }),
  issued('t5', { role: 'agent', name: 'li', email: 'li@support.example' }),
  issued('t6', { role: 'agent', name: 'mei', email: 'mei@support.example', language: 'fr' }),
  issued('t7', { role: 'agent', name: 'gone', email: 'gone@support.example' }),
  { type: 'TokenRevoked', data: { tokenId: 't7' } },
);

const kase: CaseMailFacts = {
  caseId: 'C-1',
  tenant: 'contoso',
  title: 'Outlook cannot find the mailbox',
  severity: 'B',
  zone: 'Asia/Shanghai',
  contactEmail: 'help@contoso.example',
};

const opened = (severity: string) => ({
  eventId: 'e-open',
  type: 'CaseOpened',
  data: { severity, responseDueAt: '2026-11-23T06:00:00.000Z', title: kase.title },
});

const byRecipient = (mails: ReturnType<typeof mailMessages>) =>
  Object.fromEntries(mails.map((m) => [m.to, m]));

describe('e-mail: event → messages', () => {
  it('given a B case opened, then the contact and the tenant admins with an address get a receipt with the due instant in the customer zone; no agent, no other tenant', () => {
    const mails = byRecipient(mailMessages(opened('B'), { ...kase, severity: 'B' }, people));
    expect(Object.keys(mails).sort()).toEqual([
      'ada@contoso.example',
      'cy@contoso.example',
      'help@contoso.example',
    ]);
    const receipt = mails['help@contoso.example']!;
    expect(receipt.language).toBe('en');
    expect(receipt.subject).toBe('[Docket] We received your case: Outlook cannot find the mailbox');
    // 06:00 UTC is 14:00 in Shanghai.
    expect(receipt.text).toContain('Monday, November 23, 2026 at 02:00 PM GMT+8 (Asia/Shanghai)');
    expect(receipt.text).toContain('Case C-1');
    expect(receipt.html).toContain('<p>');
    // ada chose French for herself.
    expect(mails['ada@contoso.example']!.language).toBe('fr');
    expect(mails['ada@contoso.example']!.subject).toBe(
      '[Docket] Nous avons reçu votre demande : Outlook cannot find the mailbox',
    );
    expect(mails['ada@contoso.example']!.text).toContain('lundi 23 novembre 2026');
    expect(mails['ada@contoso.example']!.text).toContain('14:00');
  });

  it('given an A case opened, then the agents with a live token are told too, in their language', () => {
    const mails = byRecipient(mailMessages(opened('A'), { ...kase, severity: 'A' }, people));
    expect(mails['li@support.example']!.subject).toBe(
      '[Docket] New severity A case for contoso: Outlook cannot find the mailbox',
    );
    expect(mails['mei@support.example']!.language).toBe('fr');
    expect(mails['gone@support.example']).toBeUndefined();
    expect(Object.keys(mails)).toHaveLength(5);
  });

  it('given a tenant writing French, then its contact gets French, and admins without a language of their own too', () => {
    const mails = byRecipient(
      mailMessages(
        {
          eventId: 'e2',
          type: 'CustomerInfoRequested',
          data: { message: 'Which build?', nonresponseDueAt: '2026-11-27T02:00:00.000Z' },
        },
        { ...kase, tenant: 'fabrikam', contactEmail: 'it@fabrikam.example' },
        people,
      ),
    );
    expect(Object.keys(mails).sort()).toEqual(['bo@fabrikam.example', 'it@fabrikam.example']);
    const mail = mails['it@fabrikam.example']!;
    expect(mail.language).toBe('fr');
    expect(mail.text).toContain('Which build?');
    expect(mail.text).toContain('vendredi 27 novembre 2026 à 10:00 UTC+8 (Asia/Shanghai)');
    expect(mail.text).toContain('la sévérité de la demande sera abaissée');
  });

  it('given a breach, then only the agents are told; given an internal note, nobody', () => {
    const breach = mailMessages(
      {
        eventId: 'e3',
        type: 'ResponseDeadlineBreached',
        data: { dueAt: '2026-11-23T06:00:00.000Z' },
      },
      kase,
      people,
    );
    expect(breach.map((m) => m.to).sort()).toEqual(['li@support.example', 'mei@support.example']);
    expect(breach[0]!.subject).toContain('Response deadline breached for contoso');
    expect(
      mailMessages(
        { eventId: 'e4', type: 'NoteAdded', data: { agent: 'li', text: 'secret' } },
        kase,
        people,
      ),
    ).toEqual([]);
  });

  it('given an at-risk warning or a further target breached, then only the agents are told, in their language', () => {
    const atRisk = mailMessages(
      {
        eventId: 'e5',
        type: 'SlaTargetAtRisk',
        data: { target: 'response', threshold: 0.75, dueAt: '2026-11-23T06:00:00.000Z' },
      },
      kase,
      people,
    );
    const byTo = new Map(atRisk.map((m) => [m.to, m]));
    expect([...byTo.keys()].sort()).toEqual(['li@support.example', 'mei@support.example']);
    expect(byTo.get('li@support.example')!.subject).toContain(
      'At risk (first response) for contoso',
    );
    expect(byTo.get('mei@support.example')!.subject).toContain(
      'Objectif menacé (première réponse) pour contoso',
    );
    for (const [type, words] of [
      ['ResolutionDeadlineBreached', 'Resolution deadline breached'],
      ['NextReplyDeadlineBreached', 'Next-reply deadline breached'],
      ['PeriodicUpdateDeadlineBreached', 'Periodic update overdue'],
    ] as const) {
      const mails = mailMessages(
        { eventId: `e-${type}`, type, data: { dueAt: '2026-11-23T06:00:00.000Z' } },
        kase,
        people,
      );
      expect(mails.map((m) => m.to).sort()).toEqual(['li@support.example', 'mei@support.example']);
      expect(mails.find((m) => m.to === 'li@support.example')!.subject).toContain(words);
    }
  });

  it('given each customer-facing event, then the contact gets one mail with its own facts', () => {
    const cases: Array<[string, object, string]> = [
      ['AgentResponded', { agent: 'li', message: 'Restart the service.' }, 'Restart the service.'],
      [
        'SeverityDowngraded',
        {
          from: 'B',
          to: 'C',
          reason: 'customer-nonresponse',
          nonresponseDueAt: '2026-11-30T02:00:00.000Z',
        },
        'from B to C',
      ],
      [
        'CaseResolved',
        {
          reason: 'fixed',
          summary: 'Fixed the DNS record.',
          autoCloseAt: '2026-11-30T02:00:00.000Z',
        },
        'Fixed the DNS record.',
      ],
      [
        'CaseResolved',
        {
          reason: 'customer-nonresponse',
          summary: 'Resolved automatically.',
          autoCloseAt: '2026-11-30T02:00:00.000Z',
        },
        'is resolved (no reply from you).',
      ],
      ['CaseClosed', {}, 'is now closed'],
    ];
    for (const [type, data, says] of cases) {
      const mails = mailMessages(
        { eventId: `e-${type}`, type, data },
        { ...kase, contactEmail: 'help@contoso.example' },
        directory(),
      );
      expect(
        mails.map((m) => m.to),
        type,
      ).toEqual(['help@contoso.example']);
      expect(mails[0]!.text, type).toContain(says);
    }
  });

  it('delivery ids are stable per (event, recipient) and differ between recipients and events', () => {
    const once = mailMessages(opened('B'), kase, people);
    const again = mailMessages(opened('B'), kase, people);
    expect(once.map((m) => m.id)).toEqual(again.map((m) => m.id));
    expect(new Set(once.map((m) => m.id)).size).toBe(once.length);
    const other = mailMessages({ ...opened('B'), eventId: 'e-other' }, kase, people);
    expect(other.map((m) => m.id).some((id) => once.some((m) => m.id === id))).toBe(false);
  });

  it('the contact is told once when they are also an admin (addresses compared without case)', () => {
    const mails = mailMessages(
      opened('B'),
      { ...kase, contactEmail: 'ADA@contoso.example' },
      people,
    );
    expect(mails.filter((m) => m.to.toLowerCase() === 'ada@contoso.example')).toHaveLength(1);
  });

  it('who is told: one small table', () => {
    expect(mailAudiences({ type: 'CaseOpened', data: { severity: 'A' } })).toEqual([
      'case-contact',
      'tenant-admins',
      'agents',
    ]);
    expect(mailAudiences({ type: 'ResponseDeadlineBreached', data: {} })).toEqual(['agents']);
    expect(mailAudiences({ type: 'CaseAssigned', data: {} })).toEqual([]);
    expect(mailAudiences({ type: 'toString', data: {} })).toEqual([]);
  });
});
