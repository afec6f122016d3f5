import { useI18n } from './i18n.js';
import type { MessageKey } from './messages.js';

/** A case's state in words (and a shape by CSS), with the state name for automation. */
export const StateBadge = ({ state, testid }: { state: string; testid?: string }) => {
  const { t } = useI18n();
  return (
    <span class={`state state-${state}`} data-testid={testid} data-state={state}>
      {t(`state.${state}` as MessageKey)}
    </span>
  );
};
