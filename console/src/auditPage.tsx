import { Fragment } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { CaseRead } from './caseTypes.js';
import { formatDuration } from './countdown.js';
import { useI18n } from './i18n.js';
import type { MessageKey } from './messages.js';
import { useCaseChanges, useSession } from './session.js';
import { StateBadge } from './stateBadge.js';
import { Statechart, type MachineGraph } from './statechart.js';

/** An entry of `GET /cases/:id/history`: the event and the case right after it. */
interface HistoryEntry {
  readonly revision: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly actor: { readonly role: string; readonly id: string };
  readonly hash: string;
  readonly state: string | null;
  readonly severity: string | null;
}
interface Verification {
  readonly events: number;
  readonly intact: boolean;
  readonly breaks: readonly { revision: number; kind: string; reason: string }[];
}
interface Loaded {
  readonly entries: readonly HistoryEntry[];
  readonly graph: MachineGraph;
  readonly verification: Verification;
}

/** The states a case went through up to an entry, repeats collapsed. */
const pathUpTo = (entries: readonly HistoryEntry[], index: number): string[] =>
  entries
    .slice(0, index + 1)
    .map((e) => e.state)
    .filter((s): s is string => s !== null)
    .filter((s, i, all) => i === 0 || all[i - 1] !== s);

/**
 * An auditor's view of a case: its full history, the statechart with the path it took, the
 * case at any event (a slider; the deadlines running then come from `GET /cases/:id?at=`),
 * and the verification of its stream.
 */
export const AuditPage = ({ id }: { id: string }) => {
  const { t, instant } = useI18n();
  const { api } = useSession();
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [index, setIndex] = useState<number | undefined>();
  const [then, setThen] = useState<CaseRead | undefined>();
  const [error, setError] = useState<string | undefined>();
  const path = `/cases/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      const [history, graph, verification] = await Promise.all([
        api.get<{ entries: HistoryEntry[] }>(`${path}/history`),
        api.get<MachineGraph>('/machine'),
        api.get<Verification>(`${path}/verify`),
      ]);
      setLoaded({ entries: history.entries, graph, verification });
    } catch (e) {
      setError(String(e));
    }
  }, [api, path]);
  useEffect(() => void load(), [load]);
  useCaseChanges((change) => {
    if (change === undefined || change.caseId === id) void load();
  });

  const entries = loaded?.entries ?? [];
  const last = entries.length - 1;
  const shown = Math.min(index ?? last, last);
  const entry = entries[shown];
  useEffect(() => {
    if (entry === undefined) return;
    let live = true;
    void api.get<CaseRead>(`${path}?at=${encodeURIComponent(entry.occurredAt)}`).then(
      (r) => live && setThen(r),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, path, entry]);

  if (error !== undefined)
    return (
      <p role="alert">
        {t('error')}: {error}
      </p>
    );
  if (loaded === undefined || entry === undefined) return <p aria-busy="true">{t('loading')}</p>;
  const { verification, graph } = loaded;
  return (
    <article data-case-id={id} class="audit">
      <p>
        <a href="#/">← {t('backToList')}</a>
      </p>
      <h1>
        {t('case')} {id}
      </h1>
      <section aria-labelledby="verification-title">
        <h2 id="verification-title">{t('verification')}</h2>
        <p data-testid="verification" data-intact={String(verification.intact)} role="status">
          {verification.intact
            ? `✓ ${t('verified')} (${verification.events})`
            : `✗ ${t('notVerified')}: ${verification.breaks.map((b) => `#${b.revision} ${b.kind}: ${b.reason}`).join('; ')}`}
        </p>
      </section>
      <section aria-labelledby="instant-title">
        <h2 id="instant-title">{t('atInstant')}</h2>
        <p>
          <label for="at-event">{t('slider')}</label>
          <input
            id="at-event"
            name="at"
            type="range"
            min={0}
            max={last}
            step={1}
            value={shown}
            aria-valuetext={`${entry.type}, ${instant(entry.occurredAt)}`}
            onInput={(e) => setIndex(Number(e.currentTarget.value))}
          />{' '}
          <output for="at-event" data-testid="at-event">
            {shown + 1}/{entries.length}: <strong>{entry.type}</strong>,{' '}
            <time dateTime={entry.occurredAt}>{instant(entry.occurredAt)}</time>
          </output>
        </p>
        <dl class="facts">
          <dt>{t('stateLabel')}</dt>
          <dd>{entry.state !== null && <StateBadge state={entry.state} testid="case-state" />}</dd>
          <dt>{t('severity')}</dt>
          <dd data-testid="case-severity">{entry.severity ?? t('none')}</dd>
          {then?.runningDeadlines.map((d) => (
            <Fragment key={d.kind}>
              <dt>{t(`kind.${d.kind}` as MessageKey)}</dt>
              <dd>
                {formatDuration(d.businessLeftMs)} ({instant(d.dueAt)})
              </dd>
            </Fragment>
          ))}
        </dl>
        <Statechart graph={graph} path={pathUpTo(entries, shown)} />
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t('history')}</h2>
        <table class="history" data-testid="history">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('when')}</th>
              <th scope="col">{t('event')}</th>
              <th scope="col">{t('actor')}</th>
              <th scope="col">{t('stateLabel')}</th>
              <th scope="col">{t('severity')}</th>
              <th scope="col">{t('hash')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={e.revision} data-event={e.type} aria-current={i === shown}>
                <td>{e.revision}</td>
                <td>
                  <time dateTime={e.occurredAt}>{instant(e.occurredAt)}</time>
                </td>
                <td>{e.type}</td>
                <td>
                  {e.actor.role} {e.actor.id}
                </td>
                <td>{e.state === null ? t('none') : t(`state.${e.state}` as MessageKey)}</td>
                <td>{e.severity ?? t('none')}</td>
                <td>
                  <code>{e.hash.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
};
