import { countdownAt, formatDuration, type RunningDeadline } from './countdown.js';
import { useI18n } from './i18n.js';
import type { MessageKey } from './messages.js';
import { useTick } from './useTick.js';

/**
 * A running deadline's business time left, ticking each second inside the calendar's windows
 * and stopped outside them; its status is written out, not only coloured.
 */
export const DeadlineCountdown = ({
  deadline,
  at,
  receivedAt,
}: {
  deadline: RunningDeadline;
  at: string;
  receivedAt: number;
}) => {
  const { t } = useI18n();
  const now = useTick();
  const { leftMs, running } = countdownAt(deadline, at, Math.max(0, now - receivedAt));
  const status = leftMs === 0 ? 'overdue' : running ? 'running' : 'paused';
  return (
    <span class={`countdown ${status}`} data-testid="countdown" data-status={status}>
      <span class="visually-hidden">{t(`kind.${deadline.kind}` as MessageKey)}: </span>
      <span class="left">{formatDuration(leftMs)}</span> <span class="status">({t(status)})</span>
    </span>
  );
};
