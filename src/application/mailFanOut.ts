import { caseIdOf, isCaseStream } from '../domain/case/stream/caseStreamId.js';
import type { CaseEventOf } from '../domain/case/stream/caseEvents.js';
import { customerZone } from './customerZone.js';
import type { EventStore, RecordedEvent } from './eventStore.js';
import { mailAudiences } from './mailAudience.js';
import {
  emptyMailDirectory,
  evolveMailDirectory,
  mailDirectoryStreams,
  type MailDirectory,
} from './mailDirectory.js';
import { mailMessages, type CaseMailFacts } from './mailMessages.js';
import type { OutboxFanOut } from './outboxFeeder.js';
import type { PolicyRegistry } from './policyRegistry.js';
import type { NewWebhookDelivery } from './webhookOutbox.js';

/** The outbox's endpoint id for e-mail: every mail delivery goes through the SMTP relay. */
export const MAIL_CHANNEL = 'mail';

/** Cases whose facts are kept between events, at most (the oldest are read again if needed). */
const CACHED_CASES = 10_000;

type Opened = CaseEventOf<'CaseOpened'>['data'];

/**
 * The e-mail outbox's fan-out: folds the people and tenants of the directory and the facts of
 * each case (title, severity, contact, zone) in log order, and turns each case event into one
 * delivery per recipient (`mailMessages`), the rendered message as its payload. A case opened
 * before the feed's checkpoint is read from its stream the first time it is needed.
 */
export class MailFanOut implements OutboxFanOut {
  #directory: MailDirectory = emptyMailDirectory();
  readonly #cases = new Map<string, CaseMailFacts>();

  constructor(
    private readonly store: EventStore,
    private readonly policies: PolicyRegistry,
  ) {}

  async restore(position: number): Promise<void> {
    const directory = emptyMailDirectory();
    for (const stream of mailDirectoryStreams)
      for await (const event of this.store.readStream(stream))
        if (Number(event.position) <= position) evolveMailDirectory(directory, event);
    this.#directory = directory;
    this.#cases.clear();
  }

  async deliveries(event: RecordedEvent): Promise<NewWebhookDelivery[]> {
    if (mailDirectoryStreams.includes(event.streamId)) {
      evolveMailDirectory(this.#directory, event);
      return [];
    }
    if (!isCaseStream(event.streamId)) return [];
    const caseId = event.metadata.caseId ?? caseIdOf(event.streamId);
    const mailed = mailAudiences(event).length > 0;
    // A case not kept and not mailed about now need not be read.
    if (!mailed && event.type !== 'CaseOpened' && !this.#cases.has(caseId)) return [];
    const kase = this.#evolve(
      event.type === 'CaseOpened' ? undefined : await this.#facts(caseId, event),
      caseId,
      event,
    );
    if (kase === undefined) return [];
    this.#remember(kase, event.type === 'CaseClosed');
    if (!mailed) return [];
    return mailMessages(event, kase, this.#directory).map((message) => ({
      id: message.id,
      endpointId: MAIL_CHANNEL,
      eventId: event.eventId,
      eventType: event.type,
      caseId,
      position: Number(event.position),
      payload: JSON.stringify(message),
    }));
  }

  /** The case's facts before `event`: kept, or folded from its stream up to it. */
  async #facts(caseId: string, event: RecordedEvent): Promise<CaseMailFacts | undefined> {
    const kept = this.#cases.get(caseId);
    if (kept !== undefined) return kept;
    let facts: CaseMailFacts | undefined;
    if (event.revision === 0) return facts;
    for await (const earlier of this.store.readStream(event.streamId, { maxCount: event.revision }))
      facts = this.#evolve(facts, caseId, earlier);
    return facts;
  }

  #evolve(
    facts: CaseMailFacts | undefined,
    caseId: string,
    event: RecordedEvent,
  ): CaseMailFacts | undefined {
    if (event.type === 'CaseOpened') {
      const opened = event.data as Opened;
      return {
        caseId,
        tenant: opened.tenant.id,
        title: opened.title,
        severity: opened.severity,
        zone: customerZone(
          this.policies.byVersion(opened.policyVersion) ?? this.policies.current,
          opened,
        ),
        contactEmail: opened.contact.email,
      };
    }
    if (facts === undefined) return undefined;
    if (event.type === 'SeverityChanged' || event.type === 'SeverityDowngraded')
      return { ...facts, severity: (event.data as { to: string }).to };
    return facts;
  }

  #remember(facts: CaseMailFacts, closed: boolean): void {
    this.#cases.delete(facts.caseId);
    if (closed) return;
    this.#cases.set(facts.caseId, facts);
    if (this.#cases.size > CACHED_CASES) {
      const oldest = this.#cases.keys().next();
      if (oldest.done !== true) this.#cases.delete(oldest.value);
    }
  }
}
