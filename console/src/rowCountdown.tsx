import { useEffect, useState } from 'preact/hooks';
import { caseReadAt, type TimedRead } from './caseReads.js';
import { DeadlineCountdown } from './deadlineCountdown.js';
import { useI18n } from './i18n.js';
import { useSession } from './session.js';

/** A queue row's countdown: the case's first running deadline, read once per revision. */
export const RowCountdown = ({ id, revision }: { id: string; revision: number }) => {
  const { api } = useSession();
  const { t } = useI18n();
  const [read, setRead] = useState<TimedRead | undefined>();
  useEffect(() => {
    let live = true;
    void caseReadAt(api, id, revision).then(
      (r) => live && setRead(r),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, id, revision]);
  const deadline = read?.read.runningDeadlines[0];
  if (read === undefined || deadline === undefined) return <span>{t('none')}</span>;
  return <DeadlineCountdown deadline={deadline} at={read.read.at} receivedAt={read.receivedAt} />;
};
