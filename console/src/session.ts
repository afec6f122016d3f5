import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { Api } from './api.js';
import type { CaseChange } from './feed.js';

export type ChangeListener = (change: CaseChange | undefined) => void;

/** Who the token is (`GET /me`). */
export interface Me {
  readonly role: string;
  readonly name: string;
  readonly tenant: string | null;
  readonly offering: string | null;
}

/** The signed-in person: their API client, who they are, and the live changes they may see. */
export interface Session {
  readonly api: Api;
  readonly me: Me;
  /**
   * Calls `listener` with every case change the feed brings, and with `undefined` when the feed
   * (re)connects and anything may have changed meanwhile; returns the unsubscribe.
   */
  readonly onChange: (listener: ChangeListener) => () => void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export const useSession = (): Session => {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside a signed-in console');
  return session;
};

/** Runs `listener` on every live case change while the component is shown. */
export const useCaseChanges = (listener: ChangeListener): void => {
  const { onChange } = useSession();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => onChange((c) => latest.current(c)), [onChange]);
};
