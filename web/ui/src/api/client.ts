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
export type ActivationPreview = Schemas['ActivationPreview'];
export type ActivationLink = Schemas['ActivationLink'];
export type ActivationLinks = Schemas['ActivationLinks'];
export type PendingInvitation = Schemas['PendingInvitation'];
export type InstallationOrg = Schemas['InstallationOrg'];
export type InstallationAccount = Schemas['InstallationAccount'];
export type EmailDomain = Schemas['EmailDomain'];
export type AssignedDomain = Schemas['AssignedDomain'];
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

/**
 * parseRetryAfter reads a Retry-After header as seconds from now: either form RFC 9110 lets a
 * server send (delay-seconds, or an HTTP date as IMF-fixdate), or undefined.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** toApiError turns a non-2xx answer into an ApiError, keeping the server's code and message. */
export function toApiError(response: Response, body: unknown): ApiError {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
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

let passwordChangeRequired: (() => void) | undefined;

/**
 * setPasswordChangeHandler registers what to do when any API call answers 403
 * password_change_required: the account still has the initial password an administrator chose.
 */
export function setPasswordChangeHandler(handler: (() => void) | undefined): void {
  passwordChangeRequired = handler;
}

/** isPasswordChangeRequired reads whether a 403 answer says the password must be changed first. */
async function isPasswordChangeRequired(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  try {
    const body: unknown = await response.clone().json();
    return isErrorBody(body) && body.error.code === 'password_change_required';
  } catch {
    return false;
  }
}

export const sessionMiddleware: Middleware = {
  async onResponse({ response, schemaPath }) {
    if (response.status === 401 && !EXPECTED_401.has(schemaPath)) unauthorized?.();
    else if (passwordChangeRequired && (await isPasswordChangeRequired(response))) passwordChangeRequired();
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
