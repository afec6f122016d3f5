import { useEffect, useState } from 'preact/hooks';

/** The console's pages, addressed by the URL's hash (`#/cases/<id>`), so no server routing. */
export type Route =
  | { readonly page: 'home' }
  | { readonly page: 'case'; readonly id: string }
  | { readonly page: 'open' }
  | { readonly page: 'report' };

export const parseRoute = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'cases' && parts[1] !== undefined && parts[1] !== '')
    return { page: 'case', id: parts[1] };
  if (parts[0] === 'open') return { page: 'open' };
  if (parts[0] === 'report') return { page: 'report' };
  return { page: 'home' };
};

export const caseHref = (id: string): string => `#/cases/${encodeURIComponent(id)}`;

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
};
