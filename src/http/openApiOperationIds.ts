const methodVerbs: Record<string, string> = { PATCH: 'update', PUT: 'replace', DELETE: 'delete' };
const isParameter = (segment: string) => segment.startsWith(':') || segment.startsWith('{');
const singular = (word: string) =>
  word.endsWith('ies')
    ? `${word.slice(0, -3)}y`
    : word.endsWith('ss')
      ? word
      : word.replace(/s$/, '');
const pascal = (word: string) =>
  word
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/**
 * The operationId of a route that does not name itself, from its method and path: a collection
 * noun followed by a parameter is singular, parameters are dropped, and the verb says what the
 * method does to what the path ends with.
 *
 * `GET /cases/:id` → `getCase`, `GET /cases/:id/events` → `listCaseEvents`, `GET
 * /cases/:id/history` → `getCaseHistory`, `POST /tenants` → `createTenant`, `PATCH /tenants/:id`
 * → `updateTenant`, `DELETE /tokens/:id` → `deleteToken`, `POST /cases/:id/assign` →
 * `assignCase`.
 */
export const operationIdOf = (method: string, url: string): string => {
  const segments = url.split('/').filter((s) => s !== '');
  const nouns = segments.flatMap((segment, i) => {
    if (isParameter(segment)) return [];
    const next = segments[i + 1];
    return [next !== undefined && isParameter(next) ? singular(segment) : segment];
  });
  const last = segments.at(-1) ?? '';
  const endsInParameter = isParameter(last);
  const afterParameter = segments.length >= 2 && isParameter(segments.at(-2)!);
  let verb: string;
  let words = nouns;
  if (method === 'GET') {
    verb = !endsInParameter && /[^s]s$/.test(last) ? 'list' : 'get';
  } else if (method === 'POST' && !endsInParameter && afterParameter) {
    // An action on a resource: POST /cases/:id/assign → assignCase.
    verb = last;
    words = nouns.slice(0, -1);
  } else if (method === 'POST' && !endsInParameter) {
    verb = 'create';
    words = [...nouns.slice(0, -1), singular(last)];
  } else {
    verb = methodVerbs[method] ?? method.toLowerCase();
  }
  const name = [verb, ...words].map(pascal).join('');
  return name[0]!.toLowerCase() + name.slice(1);
};
