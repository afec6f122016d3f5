import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CaseListItem } from './caseTypes.js';
import { useCaseChanges, useSession } from './session.js';

const CATCH_UP_MS = 100;
const CATCH_UP_TRIES = 50;

export interface CaseList {
  readonly items: readonly CaseListItem[] | undefined;
  readonly error: string | undefined;
}

/**
 * `GET /cases?<query>`, read again whenever the live feed reports a change. The list is a read
 * model and the feed comes from the log itself: after a change at position p, it is read again
 * until it reflects p (a bounded wait on the condition the answer's position header states).
 */
export const useCaseList = (query: string): CaseList => {
  const { api } = useSession();
  const [state, setState] = useState<CaseList>({ items: undefined, error: undefined });
  const wanted = useRef(-1n);
  const generation = useRef(0);
  const busy = useRef(false);
  const again = useRef(false);

  const load = useCallback(async () => {
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    const mine = generation.current;
    try {
      for (let tries = 0; ; tries++) {
        const { body, position } = await api.read<{ items: CaseListItem[] }>(`/cases?${query}`);
        if (mine !== generation.current) return;
        setState({ items: body.items, error: undefined });
        if (position >= wanted.current || tries >= CATCH_UP_TRIES) break;
        await new Promise((resolve) => setTimeout(resolve, CATCH_UP_MS));
      }
    } catch (error) {
      if (mine === generation.current) setState({ items: undefined, error: String(error) });
    } finally {
      busy.current = false;
      if (again.current) {
        again.current = false;
        void load();
      }
    }
  }, [api, query]);

  useEffect(() => {
    generation.current++;
    busy.current = false;
    setState({ items: undefined, error: undefined });
    void load();
  }, [load]);

  useCaseChanges((change) => {
    const position = change === undefined ? -1n : BigInt(change.position);
    if (position > wanted.current) wanted.current = position;
    void load();
  });
  return state;
};
