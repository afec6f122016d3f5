import { CaseTable } from './caseTable.js';
import { useI18n } from './i18n.js';
import { QueuesPage } from './queuesPage.js';
import { ReportPage } from './reportPage.js';
import { useSession } from './session.js';

/** What each person sees first: agents their queues, others the cases they may read. */
export const HomePage = () => {
  const { t } = useI18n();
  const { me } = useSession();
  switch (me.role) {
    case 'agent':
      return <QueuesPage />;
    case 'customer-admin':
    case 'customer-user':
      return (
        <section aria-labelledby="cases-title">
          <h1 id="cases-title">{t('myCases')}</h1>
          <CaseTable query="sort=updated&limit=50" label={t('myCases')} />
        </section>
      );
    case 'auditor':
      return (
        <section aria-labelledby="cases-title">
          <h1 id="cases-title">{t('allCases')}</h1>
          <CaseTable query="sort=updated&limit=50" label={t('allCases')} />
        </section>
      );
    case 'reporter':
      return <ReportPage />;
    default:
      return <p>{t('notForRole')}</p>;
  }
};
