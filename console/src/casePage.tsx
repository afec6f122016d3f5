import { Fragment } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { CaseEvent, CaseRead } from './caseTypes.js';
import { CommandForm } from './commandForm.js';
import { DeadlineCountdown } from './deadlineCountdown.js';
import { useI18n } from './i18n.js';
import type { MessageKey } from './messages.js';
import { useCaseChanges, useSession } from './session.js';
import { StateBadge } from './stateBadge.js';
import { Timeline } from './timeline.js';

interface Loaded {
  readonly read: CaseRead;
  readonly receivedAt: number;
  readonly events: readonly CaseEvent[];
}

/** A case: its state, running deadlines, timeline and one button per command allowed now. */
export const CasePage = ({ id }: { id: string }) => {
  const { t, instant } = useI18n();
  const { api } = useSession();
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [command, setCommand] = useState<string | undefined>();
  const path = `/cases/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      const [read, events] = await Promise.all([
        api.get<CaseRead>(path),
        api.get<{ events: CaseEvent[] }>(`${path}/events`),
      ]);
      setLoaded({ read, receivedAt: performance.now(), events: events.events });
      setError(undefined);
    } catch (e) {
      setError(String(e));
    }
  }, [api, path]);
  useEffect(() => void load(), [load]);
  useCaseChanges((change) => {
    if (change === undefined || change.caseId === id) void load();
  });

  if (error !== undefined && loaded === undefined)
    return (
      <p role="alert">
        {t('error')}: {error}
      </p>
    );
  if (loaded === undefined) return <p aria-busy="true">{t('loading')}</p>;
  const { read, events, receivedAt } = loaded;
  const allowed = read.allowedCommands ?? [];
  return (
    <article data-case-id={read.id} data-revision={read.revision} class="case">
      <p>
        <a href="#/">← {t('backToList')}</a>
      </p>
      <h1>{read.title}</h1>
      <dl class="facts">
        <dt>{t('stateLabel')}</dt>
        <dd>
          <StateBadge state={read.state} testid="case-state" />
        </dd>
        <dt>{t('severity')}</dt>
        <dd data-testid="case-severity">{read.severity}</dd>
        <dt>{t('tenant')}</dt>
        <dd>{read.tenant}</dd>
        <dt>{t('assignee')}</dt>
        <dd data-testid="case-assignee">{read.assignee ?? t('none')}</dd>
        <dt>{t('responseDueAt')}</dt>
        <dd>
          <time data-testid="response-due" dateTime={read.response.dueAt}>
            {instant(read.response.dueAt)}
          </time>{' '}
          {read.response.breached && <span class="flag breached">⚠ {t('breached')}</span>}
        </dd>
        {read.runningDeadlines.map((d) => (
          <Fragment key={d.kind}>
            <dt>{t(`kind.${d.kind}` as MessageKey)}</dt>
            <dd>
              <DeadlineCountdown deadline={d} at={read.at} receivedAt={receivedAt} />
            </dd>
          </Fragment>
        ))}
      </dl>
      <section aria-labelledby="actions-title">
        <h2 id="actions-title">{t('actions')}</h2>
        {allowed.length === 0 && <p>{t('noActions')}</p>}
        <div class="commands" role="group" aria-labelledby="actions-title">
          {allowed.map((c) => (
            <button
              key={c}
              type="button"
              data-command={c}
              aria-expanded={command === c}
              onClick={() => setCommand(c)}
            >
              {t(`command.${c}` as MessageKey)}
            </button>
          ))}
        </div>
        {command !== undefined && allowed.includes(command) && (
          <CommandForm
            key={command}
            caseId={read.id}
            command={command}
            revision={read.revision}
            onDone={(done) => {
              setCommand(undefined);
              if (done) void load();
            }}
          />
        )}
      </section>
      <Timeline events={events} />
    </article>
  );
};
