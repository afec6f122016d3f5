import type { MailLanguage } from '../domain/mailLanguage.js';
import { mailAudiences } from './mailAudience.js';
import { mailPeople, type MailDirectory } from './mailDirectory.js';
import { composeMail, type MailFacts, type MailReader } from './mailTemplates.js';
import { webhookDeliveryId } from './webhookPayload.js';

/** What the mail outbox knows of a case: enough to address and word a mail about it. */
export interface CaseMailFacts {
  readonly caseId: string;
  readonly tenant: string;
  readonly title: string;
  readonly severity: string;
  /** The zone of the case's response calendar: the customer's. */
  readonly zone: string;
  readonly contactEmail?: string | undefined;
}

/** One e-mail to one recipient; `id` is its delivery id, the Message-ID's left part. */
export interface MailMessage {
  readonly id: string;
  readonly to: string;
  readonly language: MailLanguage;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The case event as the mail outbox reads it. */
export interface MailedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
}

const instant = (iso: unknown): number | undefined =>
  typeof iso === 'string' ? Date.parse(iso) : undefined;

/** The event's own facts over the case's: its due instant, message, severity change. */
const factsOf = (event: MailedEvent, kase: CaseMailFacts): MailFacts => {
  const d = event.data as Record<string, unknown>;
  const text = (key: string) => (typeof d[key] === 'string' ? d[key] : undefined);
  const base = { ...kase, eventType: event.type };
  switch (event.type) {
    case 'CaseOpened':
      return { ...base, dueAt: instant(d.responseDueAt) };
    case 'AgentResponded':
      return { ...base, message: text('message') };
    case 'CustomerInfoRequested':
      return { ...base, message: text('message'), dueAt: instant(d.nonresponseDueAt) };
    case 'SeverityDowngraded':
      return { ...base, fromSeverity: text('from'), severity: text('to') ?? kase.severity };
    case 'CaseResolved':
      return {
        ...base,
        message: text('summary'),
        reason: text('reason'),
        dueAt: instant(d.autoCloseAt),
      };
    case 'SlaTargetAtRisk':
      return { ...base, dueAt: instant(d.dueAt), target: text('target') };
    default:
      return { ...base, dueAt: instant(d.dueAt) };
  }
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The e-mails a case event makes: one per recipient address (each told once, even if, say, the
 * contact is also an admin), in the recipient's language (a person's own, else the tenant's,
 * else English; the contact: the tenant's), each with the stable delivery id of (event,
 * address). A mail is about this one case of this one tenant; internal notes are never mailed.
 * Pure.
 */
export const mailMessages = (
  event: MailedEvent,
  kase: CaseMailFacts,
  directory: MailDirectory,
): MailMessage[] => {
  const tenantLanguage = directory.tenantLanguages.get(kase.tenant);
  const recipients = new Map<string, { to: string; reader: MailReader; language: MailLanguage }>();
  const add = (email: string | undefined, reader: MailReader, language: MailLanguage) => {
    const key = email?.toLowerCase();
    if (email !== undefined && key !== undefined && !recipients.has(key))
      recipients.set(key, { to: email, reader, language });
  };
  for (const audience of mailAudiences(event)) {
    if (audience === 'case-contact') add(kase.contactEmail, 'customer', tenantLanguage ?? 'en');
    else if (audience === 'tenant-admins')
      for (const p of mailPeople(directory, audience, kase.tenant))
        add(p.email, 'customer', p.language ?? tenantLanguage ?? 'en');
    else
      for (const p of mailPeople(directory, audience, kase.tenant))
        add(p.email, 'agent', p.language ?? 'en');
  }
  const facts = factsOf(event, kase);
  return [...recipients].map(([key, { to, reader, language }]) => {
    const { subject, paragraphs } = composeMail(reader, language, facts);
    return {
      id: webhookDeliveryId(event.eventId, `mail:${key}`),
      to,
      language,
      subject,
      text: paragraphs.join('\n\n') + '\n',
      html:
        `<!doctype html><html lang="${language}"><body>` +
        paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('') +
        '</body></html>',
    };
  });
};
