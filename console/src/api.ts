/** A refusal of the API: its RFC 9457 problem document's status, stable code and detail. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The public HTTP API, called with the signed-in person's token (the console has no other). */
export interface Api {
  get<T>(path: string): Promise<T>;
  /** A read model's answer and the log position it reflects (Docket-Read-Model-Position). */
  read<T>(path: string): Promise<{ body: T; position: bigint }>;
  post<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T>;
  /** A text answer (CSV). */
  text(path: string, accept: string): Promise<string>;
}

const send = async (
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> => {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.ok) return res;
  const problem = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
  throw new ApiError(res.status, problem.code ?? 'error', problem.detail ?? res.statusText);
};

export const apiFor = (token: string): Api => ({
  get: async <T>(path: string) => (await send(token, 'GET', path)).json() as Promise<T>,
  read: async <T>(path: string) => {
    const res = await send(token, 'GET', path);
    const position = BigInt(res.headers.get('docket-read-model-position') ?? '-1');
    return { body: (await res.json()) as T, position };
  },
  post: async <T>(path: string, body: unknown, headers?: Record<string, string>) =>
    (await send(token, 'POST', path, body, headers)).json() as Promise<T>,
  text: async (path: string, accept: string) =>
    (await send(token, 'GET', path, undefined, { accept })).text(),
});
