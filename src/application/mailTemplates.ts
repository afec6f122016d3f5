import { DateTime } from 'luxon';
import type { MailLanguage } from '../domain/mailLanguage.js';

/** What a template may say: the case, and the event's customer-visible facts. */
export interface MailFacts {
  readonly caseId: string;
  readonly title: string;
  readonly tenant: string;
  readonly severity: string;
  /** The zone instants are shown in (the case's response calendar's: the customer's). */
  readonly zone: string;
  readonly eventType: string;
  /** Epoch ms of the instant the event names: a due instant, a nonresponse or auto-close date. */
  readonly dueAt?: number | undefined;
  /** An agent's message to the customer, or a resolution summary. */
  readonly message?: string | undefined;
  readonly fromSeverity?: string | undefined;
  readonly reason?: string | undefined;
  /** The SLA target an at-risk warning is about (`response`, `resolution`, …). */
  readonly target?: string | undefined;
}

/** A mail's subject and its paragraphs (plain text; the HTML is made from them). */
export interface MailContent {
  readonly subject: string;
  readonly paragraphs: readonly string[];
}

type Compose = (f: MailFacts, at: (ms: number | undefined) => string) => MailContent;

/** Resolution reasons in words; an unknown one is shown as recorded. */
const reasons: Record<MailLanguage, Readonly<Record<string, string>>> = {
  en: {
    fixed: 'fixed',
    'advice-given': 'advice given',
    'out-of-scope-third-party': 'out of scope: a third party’s product',
    'out-of-scope-customer-network': 'out of scope: your network',
    duplicate: 'a duplicate of another case',
    'customer-nonresponse': 'no reply from you',
    withdrawn: 'withdrawn',
  },
  fr: {
    fixed: 'corrigé',
    'advice-given': 'conseil donné',
    'out-of-scope-third-party': 'hors périmètre : produit d’un tiers',
    'out-of-scope-customer-network': 'hors périmètre : votre réseau',
    duplicate: 'doublon d’une autre demande',
    'customer-nonresponse': 'sans réponse de votre part',
    withdrawn: 'retirée',
  },
};
const reasonIn = (language: MailLanguage, reason: string | undefined): string =>
  reason === undefined ? '' : (reasons[language][reason] ?? reason);

/** SLA targets in words; an unknown one is shown as recorded. */
const targets: Record<MailLanguage, Readonly<Record<string, string>>> = {
  en: {
    response: 'first response',
    resolution: 'resolution',
    'next-reply': 'next reply',
    'periodic-update': 'periodic update',
  },
  fr: {
    response: 'première réponse',
    resolution: 'résolution',
    'next-reply': 'prochaine réponse',
    'periodic-update': 'point périodique',
  },
};
const targetIn = (language: MailLanguage, target: string | undefined): string =>
  target === undefined ? '?' : (targets[language][target] ?? target);

/** Who a template is for: the customer's people, or the support agents. */
export type MailReader = 'customer' | 'agent';

const en: Record<string, Compose> = {
  'customer:CaseOpened': (f, at) => ({
    subject: `[Docket] We received your case: ${f.title}`,
    paragraphs: [
      `We received your case "${f.title}" (severity ${f.severity}).`,
      `An engineer will respond by ${at(f.dueAt)}.`,
    ],
  }),
  'customer:AgentResponded': (f) => ({
    subject: `[Docket] Response to your case: ${f.title}`,
    paragraphs: [`An engineer responded to your case "${f.title}":`, f.message ?? ''],
  }),
  'customer:CustomerInfoRequested': (f, at) => ({
    subject: `[Docket] Information needed for your case: ${f.title}`,
    paragraphs: [
      `An engineer needs more information to work on your case "${f.title}":`,
      f.message ?? '',
      `If we have not heard from you by ${at(f.dueAt)}, the case's severity will be lowered ` +
        `(a case already at its lowest severity is then resolved).`,
    ],
  }),
  'customer:SeverityDowngraded': (f) => ({
    subject: `[Docket] Severity lowered for your case: ${f.title}`,
    paragraphs: [
      `We did not hear from you, so the severity of your case "${f.title}" was lowered ` +
        `from ${f.fromSeverity ?? '?'} to ${f.severity}.`,
      `Reply to the case at any time to continue.`,
    ],
  }),
  'customer:CaseResolved': (f, at) => ({
    subject: `[Docket] Your case is resolved: ${f.title}`,
    paragraphs: [
      `Your case "${f.title}" is resolved (${reasonIn('en', f.reason)}).`,
      f.message ?? '',
      `It will be closed on ${at(f.dueAt)} unless you reopen it before.`,
    ],
  }),
  'customer:CaseClosed': (f) => ({
    subject: `[Docket] Your case is closed: ${f.title}`,
    paragraphs: [`Your case "${f.title}" was resolved and is now closed.`],
  }),
  'agent:CaseOpened': (f, at) => ({
    subject: `[Docket] New severity ${f.severity} case for ${f.tenant}: ${f.title}`,
    paragraphs: [
      `Tenant ${f.tenant} opened a severity ${f.severity} case: "${f.title}".`,
      `The first response is due by ${at(f.dueAt)}.`,
    ],
  }),
  'agent:ResponseDeadlineBreached': (f, at) => ({
    subject: `[Docket] Response deadline breached for ${f.tenant}: ${f.title}`,
    paragraphs: [
      `The response deadline of ${f.tenant}'s severity ${f.severity} case "${f.title}" ` +
        `passed at ${at(f.dueAt)} without a response.`,
    ],
  }),
  'agent:SlaTargetAtRisk': (f, at) => ({
    subject: `[Docket] At risk (${targetIn('en', f.target)}) for ${f.tenant}: ${f.title}`,
    paragraphs: [
      `The ${targetIn('en', f.target)} target of ${f.tenant}'s severity ${f.severity} case ` +
        `"${f.title}" is at risk: it is due by ${at(f.dueAt)}.`,
    ],
  }),
  'agent:ResolutionDeadlineBreached': (f, at) => ({
    subject: `[Docket] Resolution deadline breached for ${f.tenant}: ${f.title}`,
    paragraphs: [
      `${f.tenant}'s severity ${f.severity} case "${f.title}" was due to be resolved by ` +
        `${at(f.dueAt)} and is not.`,
    ],
  }),
  'agent:NextReplyDeadlineBreached': (f, at) => ({
    subject: `[Docket] Next-reply deadline breached for ${f.tenant}: ${f.title}`,
    paragraphs: [
      `The customer's reply on ${f.tenant}'s severity ${f.severity} case "${f.title}" ` +
        `was due an answer by ${at(f.dueAt)}, and has none.`,
    ],
  }),
  'agent:PeriodicUpdateDeadlineBreached': (f, at) => ({
    subject: `[Docket] Periodic update overdue for ${f.tenant}: ${f.title}`,
    paragraphs: [
      `${f.tenant}'s severity ${f.severity} case "${f.title}" was due an update by ` +
        `${at(f.dueAt)}, and has none.`,
    ],
  }),
};

const fr: Record<string, Compose> = {
  'customer:CaseOpened': (f, at) => ({
    subject: `[Docket] Nous avons reçu votre demande : ${f.title}`,
    paragraphs: [
      `Nous avons reçu votre demande « ${f.title} » (sévérité ${f.severity}).`,
      `Un ingénieur vous répondra au plus tard le ${at(f.dueAt)}.`,
    ],
  }),
  'customer:AgentResponded': (f) => ({
    subject: `[Docket] Réponse à votre demande : ${f.title}`,
    paragraphs: [`Un ingénieur a répondu à votre demande « ${f.title} » :`, f.message ?? ''],
  }),
  'customer:CustomerInfoRequested': (f, at) => ({
    subject: `[Docket] Informations nécessaires pour votre demande : ${f.title}`,
    paragraphs: [
      `Un ingénieur a besoin d'informations complémentaires sur votre demande « ${f.title} » :`,
      f.message ?? '',
      `Sans réponse de votre part d'ici le ${at(f.dueAt)}, la sévérité de la demande sera ` +
        `abaissée (une demande déjà à sa sévérité la plus basse est alors résolue).`,
    ],
  }),
  'customer:SeverityDowngraded': (f) => ({
    subject: `[Docket] Sévérité abaissée pour votre demande : ${f.title}`,
    paragraphs: [
      `Sans réponse de votre part, la sévérité de votre demande « ${f.title} » a été abaissée ` +
        `de ${f.fromSeverity ?? '?'} à ${f.severity}.`,
      `Vous pouvez répondre à tout moment pour poursuivre.`,
    ],
  }),
  'customer:CaseResolved': (f, at) => ({
    subject: `[Docket] Votre demande est résolue : ${f.title}`,
    paragraphs: [
      `Votre demande « ${f.title} » est résolue (${reasonIn('fr', f.reason)}).`,
      f.message ?? '',
      `Elle sera fermée le ${at(f.dueAt)}, sauf si vous la rouvrez d'ici là.`,
    ],
  }),
  'customer:CaseClosed': (f) => ({
    subject: `[Docket] Votre demande est fermée : ${f.title}`,
    paragraphs: [`Votre demande « ${f.title} » a été résolue et est désormais fermée.`],
  }),
  'agent:CaseOpened': (f, at) => ({
    subject: `[Docket] Nouvelle demande de sévérité ${f.severity} pour ${f.tenant} : ${f.title}`,
    paragraphs: [
      `Le client ${f.tenant} a ouvert une demande de sévérité ${f.severity} : « ${f.title} ».`,
      `La première réponse est due au plus tard le ${at(f.dueAt)}.`,
    ],
  }),
  'agent:ResponseDeadlineBreached': (f, at) => ({
    subject: `[Docket] Délai de réponse dépassé pour ${f.tenant} : ${f.title}`,
    paragraphs: [
      `Le délai de réponse de la demande de sévérité ${f.severity} « ${f.title} » de ` +
        `${f.tenant} a expiré le ${at(f.dueAt)} sans réponse.`,
    ],
  }),
  'agent:SlaTargetAtRisk': (f, at) => ({
    subject: `[Docket] Objectif menacé (${targetIn('fr', f.target)}) pour ${f.tenant} : ${f.title}`,
    paragraphs: [
      `L'objectif de ${targetIn('fr', f.target)} de la demande de sévérité ${f.severity} ` +
        `« ${f.title} » de ${f.tenant} est menacé : échéance le ${at(f.dueAt)}.`,
    ],
  }),
  'agent:ResolutionDeadlineBreached': (f, at) => ({
    subject: `[Docket] Délai de résolution dépassé pour ${f.tenant} : ${f.title}`,
    paragraphs: [
      `La demande de sévérité ${f.severity} « ${f.title} » de ${f.tenant} devait être ` +
        `résolue au plus tard le ${at(f.dueAt)} et ne l'est pas.`,
    ],
  }),
  'agent:NextReplyDeadlineBreached': (f, at) => ({
    subject: `[Docket] Délai de prochaine réponse dépassé pour ${f.tenant} : ${f.title}`,
    paragraphs: [
      `La réponse du client sur la demande de sévérité ${f.severity} « ${f.title} » de ` +
        `${f.tenant} attendait une réponse au plus tard le ${at(f.dueAt)}, sans suite.`,
    ],
  }),
  'agent:PeriodicUpdateDeadlineBreached': (f, at) => ({
    subject: `[Docket] Point périodique en retard pour ${f.tenant} : ${f.title}`,
    paragraphs: [
      `La demande de sévérité ${f.severity} « ${f.title} » de ${f.tenant} attendait un ` +
        `point au plus tard le ${at(f.dueAt)}, sans suite.`,
    ],
  }),
};

/** For an event with no template of its own: its type, the case, and the instant it names. */
const fallback: Record<MailLanguage, Compose> = {
  en: (f, at) => ({
    subject: `[Docket] ${f.eventType}: ${f.title}`,
    paragraphs: [
      `${f.eventType} on ${f.tenant}'s severity ${f.severity} case "${f.title}".`,
      ...(f.dueAt === undefined ? [] : [`Due: ${at(f.dueAt)}.`]),
    ],
  }),
  fr: (f, at) => ({
    subject: `[Docket] ${f.eventType} : ${f.title}`,
    paragraphs: [
      `${f.eventType} sur la demande de sévérité ${f.severity} « ${f.title} » de ${f.tenant}.`,
      ...(f.dueAt === undefined ? [] : [`Échéance : ${at(f.dueAt)}.`]),
    ],
  }),
};

const templates: Record<MailLanguage, Record<string, Compose>> = { en, fr };
const footer: Record<MailLanguage, string> = {
  en: 'Case',
  fr: 'Demande',
};

/** `Monday, November 23, 2026 at 06:00 PM GMT+8 (Asia/Shanghai)`, in the language given. */
export const mailInstant = (ms: number, zone: string, language: MailLanguage): string =>
  `${DateTime.fromMillis(ms, { zone, locale: language }).toLocaleString({
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  })} (${zone})`;

/** A mail's subject and paragraphs for `reader` in `language`. Pure. */
export const composeMail = (
  reader: MailReader,
  language: MailLanguage,
  facts: MailFacts,
): MailContent => {
  const compose = templates[language][`${reader}:${facts.eventType}`] ?? fallback[language];
  const at = (ms: number | undefined) =>
    ms === undefined ? '?' : mailInstant(ms, facts.zone, language);
  const content = compose(facts, at);
  return {
    subject: content.subject,
    paragraphs: [
      ...content.paragraphs.filter((p) => p !== ''),
      `${footer[language]} ${facts.caseId}`,
    ],
  };
};
