import type { CaseEvent } from './caseTypes.js';
import { useI18n } from './i18n.js';

/** What an event says, in one line (messages, reasons, severities). */
const gist = (data: unknown): string => {
  if (typeof data !== 'object' || data === null) return '';
  const d = data as Record<string, unknown>;
  const said = ['message', 'text', 'summary', 'reason', 'severity', 'agent', 'title', 'comment']
    .map((k) => d[k])
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  return said.join(' · ');
};

/** A case's events, oldest first. */
export const Timeline = ({ events }: { events: readonly CaseEvent[] }) => {
  const { t, instant } = useI18n();
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('timeline')}</h2>
      <ol class="timeline" data-testid="timeline">
        {events.map((e) => (
          <li key={e.revision} data-event={e.type}>
            <time dateTime={e.occurredAt}>{instant(e.occurredAt)}</time> <strong>{e.type}</strong>{' '}
            <span class="actor">
              ({e.actor.role} {e.actor.id})
            </span>{' '}
            <span class="gist">{gist(e.data)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
};
