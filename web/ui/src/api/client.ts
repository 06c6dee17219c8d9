import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

type Schemas = components['schemas'];
export type User = Schemas['User'];
export type Me = Schemas['Me'];
export type Locale = Schemas['Locale'];
export type Role = Schemas['Role'];
export type OrgMembership = Schemas['OrgMembership'];
export type Organisation = Schemas['Organisation'];
export type Member = Schemas['Member'];
export type MemberPage = Schemas['MemberPage'];
export type Invitation = Schemas['Invitation'];
export type CreatedInvitation = Schemas['CreatedInvitation'];
export type InvitationPreview = Schemas['InvitationPreview'];
export type APIToken = Schemas['APIToken'];
export type CreatedToken = Schemas['CreatedToken'];
export type Department = Schemas['Department'];
export type DepartmentView = Schemas['DepartmentView'];
export type Person = Schemas['Person'];
export type PersonCard = Schemas['PersonCard'];
export type PersonDepartment = PersonCard['departments'][number];
export type Group = Schemas['Group'];
export type GroupRequest = Schemas['GroupRequest'];
export type GroupMember = Schemas['GroupMember'];
export type AdminUser = Schemas['AdminUser'];
export type DepartmentAssignment = Schemas['Assignment'];
export type Permission = Schemas['Permission'];
export type RoleDef = Schemas['RoleDef'];
export type BuiltinRole = NonNullable<RoleDef['builtin']>;
export type RoleRequest = Schemas['RoleRequest'];
export type RoleAssignment = Schemas['RoleAssignment'];
export type AuditEntry = Schemas['AuditEntry'];
export type ImportJob = Schemas['ImportJob'];
export type ImportIssue = Schemas['ImportIssue'];
export type SCIMToken = Schemas['SCIMToken'];
type ErrorBody = Schemas['Error'];

/** ApiError is a failed API call: the HTTP status and the server's error body, when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId?: string;
  /** Seconds to wait, from Retry-After on a 429. */
  readonly retryAfter?: number;

  constructor(status: number, code: string, message: string, requestId?: string, retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  const e = (body as ErrorBody | undefined)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string';
}

/** toApiError turns a non-2xx answer into an ApiError, keeping the server's code and message. */
export function toApiError(response: Response, body: unknown): ApiError {
  const retry = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  const retryAfter = Number.isFinite(retry) ? retry : undefined;
  if (isErrorBody(body)) {
    const { code, message, request_id } = body.error;
    return new ApiError(response.status, code, message, request_id, retryAfter);
  }
  return new ApiError(response.status, `http_${response.status}`, response.statusText, undefined, retryAfter);
}

/** readCookie returns a cookie's value, or undefined. */
export function readCookie(name: string, cookies: string = document.cookie): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * csrfMiddleware sends the canopy_csrf cookie back as X-CSRF-Token on every write, as the
 * server requires of cookie-authenticated requests (double-submit).
 */
export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const token = readCookie('canopy_csrf');
      if (token) request.headers.set('X-CSRF-Token', token);
    }
    return request;
  },
};

// A 401 from these means a wrong password, not an ended session, so the page handles it.
const EXPECTED_401 = new Set(['/api/v1/auth/login', '/api/v1/me/password']);

let unauthorized: (() => void) | undefined;

/** setUnauthorizedHandler registers what to do when any API call answers 401 (the session ended). */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  unauthorized = handler;
}

export const sessionMiddleware: Middleware = {
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && !EXPECTED_401.has(schemaPath)) unauthorized?.();
    return response;
  },
};

/** createApi builds a typed client for Canopy's API on this origin, with the cookie session. */
export function createApi(baseUrl: string = globalThis.location?.origin ?? '') {
  const client = createClient<paths>({
    baseUrl,
    credentials: 'same-origin',
    // Looked up per call so tests can replace globalThis.fetch.
    fetch: (request) => globalThis.fetch(request),
  });
  client.use(csrfMiddleware, sessionMiddleware);
  return client;
}

export const api = createApi();

/** unwrap returns an openapi-fetch answer's data, or throws an ApiError for a non-2xx status. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(response, error);
  return data as T;
}
