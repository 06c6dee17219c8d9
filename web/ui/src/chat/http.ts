import { api, unwrap } from '../api/client';

type Query = Record<string, string | number | boolean | undefined | null>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Answer<T = unknown> = Promise<{ data?: T; error?: unknown; response: Response }>;
type LooseClient = Record<Method, (path: string, init: { params?: { query?: Query }; body?: unknown }) => Answer>;

/**
 * call makes an API call through the app's one client (CSRF header, the 401 handling) to a
 * route the generated types do not describe yet, and returns its answer or throws an ApiError.
 * Modules use it until their routes are in web/api/openapi.yaml; then they move to api.GET.
 */
export function call<T>(method: Method, path: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> {
  const query = opts.query
    ? (Object.fromEntries(Object.entries(opts.query).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Query)
    : undefined;
  const client = api as unknown as LooseClient;
  return unwrap<T>(client[method](path, { params: query ? { query } : undefined, body: opts.body }) as Answer<T>);
}

/** orgBase is the prefix of an organisation's routes. */
export const orgBase = (orgID: string) => `/api/v1/orgs/${encodeURIComponent(orgID)}`;

/** seg encodes one path segment. */
export const seg = encodeURIComponent;
