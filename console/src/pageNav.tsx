import { useI18n } from './i18n.js';
import type { MessageKey } from './messages.js';
import type { Me } from './session.js';

/** The pages each role has, as links (keyboard reachable, in reading order). */
const pagesOf = (role: string): readonly [string, MessageKey][] => {
  switch (role) {
    case 'agent':
      return [['#/', 'queues']];
    case 'customer-admin':
      return [
        ['#/', 'myCases'],
        ['#/open', 'openCase'],
      ];
    case 'customer-user':
      return [['#/', 'myCases']];
    case 'auditor':
      return [['#/', 'allCases']];
    case 'reporter':
      return [['#/report', 'report']];
    default:
      return [];
  }
};

export const PageNav = ({ me }: { me: Me }) => {
  const { t } = useI18n();
  return (
    <nav class="pages" aria-label={t('appName')}>
      {pagesOf(me.role).map(([href, label]) => (
        <a key={href} href={href}>
          {t(label)}
        </a>
      ))}
    </nav>
  );
};
