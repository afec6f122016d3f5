import { useI18n } from './i18n.js';
import { caseHref } from './route.js';
import { RowCountdown } from './rowCountdown.js';
import { StateBadge } from './stateBadge.js';
import { useCaseList } from './useCaseList.js';

/** Cases from `GET /cases?<query>`, kept live, one row (`data-case-id`) each. */
export const CaseTable = ({ query, label }: { query: string; label: string }) => {
  const { t } = useI18n();
  const { items, error } = useCaseList(query);
  if (error !== undefined)
    return (
      <p role="alert">
        {t('error')}: {error}
      </p>
    );
  if (items === undefined) return <p aria-busy="true">{t('loading')}</p>;
  if (items.length === 0) return <p data-testid="empty">{t('noCases')}</p>;
  return (
    <table class="cases" data-testid="case-table">
      <caption class="visually-hidden">{label}</caption>
      <thead>
        <tr>
          <th scope="col">{t('title')}</th>
          <th scope="col">{t('severity')}</th>
          <th scope="col">{t('stateLabel')}</th>
          <th scope="col">{t('assignee')}</th>
          <th scope="col">{t('timeLeft')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.id} data-case-id={c.id} data-revision={c.revision}>
            <td>
              <a href={caseHref(c.id)}>{c.title}</a>
              {c.breached && <span class="flag breached"> ⚠ {t('breached')}</span>}
              {c.atRisk && <span class="flag at-risk"> ◔ {t('atRisk')}</span>}
            </td>
            <td>{c.severity}</td>
            <td>
              <StateBadge state={c.state} />
            </td>
            <td>{c.assignee ?? t('none')}</td>
            <td>
              {c.dueAt === null ? t('none') : <RowCountdown id={c.id} revision={c.revision} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
