import { useState } from 'preact/hooks';
import { CaseTable } from './caseTable.js';
import { useI18n } from './i18n.js';
import type { MessageKey } from './messages.js';
import { useSession } from './session.js';

const active = 'state=opened,responded,awaitingCustomer,downgraded';

/** An agent's queues, each a `GET /cases` query. */
const queues = {
  unassigned: () => `${active}&unassigned=true`,
  mine: (me: string) => `${active}&assignee=${encodeURIComponent(me)}`,
  breached: () => `${active}&breached=true`,
  atRisk: () => 'atRisk=true',
  awaitingCustomer: () => 'awaitingCustomer=true',
} as const;
type Queue = keyof typeof queues;

/** The agent's home: one tab per queue, soonest deadline first. */
export const QueuesPage = () => {
  const { t } = useI18n();
  const { me } = useSession();
  const [queue, setQueue] = useState<Queue>('unassigned');
  const label = t(`queue.${queue}` as MessageKey);
  return (
    <section aria-labelledby="queues-title">
      <h1 id="queues-title">{t('queues')}</h1>
      <nav aria-label={t('queues')} class="tabs">
        {(Object.keys(queues) as Queue[]).map((q) => (
          <button
            key={q}
            type="button"
            data-queue={q}
            aria-pressed={q === queue}
            onClick={() => setQueue(q)}
          >
            {t(`queue.${q}` as MessageKey)}
          </button>
        ))}
      </nav>
      <CaseTable query={`${queues[queue](me.name)}&sort=due&limit=50`} label={label} />
    </section>
  );
};
