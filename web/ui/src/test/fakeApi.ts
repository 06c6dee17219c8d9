import { vi } from 'vitest';
import type { Me } from '../api/client';

/** A handler answers one API call; returning undefined falls through to 404. */
export type Handler = (request: Request, body: unknown) => Response | Promise<Response> | undefined;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function apiError(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message, request_id: 'req-1' } });
}

export interface Call {
  method: string;
  path: string;
  body: unknown;
  headers: Headers;
}

/** parse reads a JSON body, or keeps any other body (a CSV upload) as text. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * fakeApi replaces fetch with a table of routes ("GET /api/v1/me") and records every call, so
 * tests drive the UI against the OpenAPI contract without a server.
 */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const request = input instanceof Request ? input : new Request(input);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.clone().text();
    const body = text ? parse(text) : undefined;
    calls.push({ method: request.method, path: url.pathname + url.search, body, headers: request.headers });
    const handler = routes[`${request.method} ${url.pathname}`];
    const response = handler ? await handler(request, body) : undefined;
    return response ?? apiError(404, 'not_found', 'no such route in the test');
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export function me(overrides: { locale?: 'en' | 'zh-CN'; role?: 'owner' | 'admin' | 'member' | 'guest'; orgs?: number } = {}): Me {
  const count = overrides.orgs ?? 1;
  return {
    user: {
      id: '00000000-0000-4000-8000-000000000001',
      email: 'li.na@example.com',
      display_name: 'Li Na',
      locale: overrides.locale ?? 'en',
      time_zone: 'Asia/Shanghai',
      status: 'active',
      created_at: '2025-01-02T03:04:05Z',
      must_change_password: false,
      installation_admin: false,
    },
    organisations: Array.from({ length: count }, (_, i) => ({
      id: `00000000-0000-4000-8000-00000000010${i}`,
      name: i === 0 ? 'Acme' : `Org ${i}`,
      role: overrides.role ?? 'owner',
      status: 'active' as const,
    })),
    auth: { method: 'session' },
  };
}

/** The permissions a plain member holds by their base role, organisation-wide. */
export const BASE_MEMBER_PERMISSIONS = ['org.read', 'directory.read', 'files.read', 'files.write', 'files.share', 'tasks.read', 'tasks.write', 'messages.read', 'messages.write'];

/**
 * heldPermissions answers GET /orgs/{orgID}/me/permissions: each permission organisation-wide,
 * or, written "perm@dept-id", over that department's subtree.
 */
export function heldPermissions(...perms: string[]): Response {
  const byPerm = new Map<string, { permission: string; org: boolean; departments: { id: string; path: string; name: string }[] }>();
  for (const p of perms) {
    const [permission, dept] = p.split('@');
    const held = byPerm.get(permission) ?? { permission, org: false, departments: [] };
    if (dept) held.departments.push({ id: dept, path: `/d-root/${dept}/`, name: dept });
    else held.org = true;
    if (held.org) held.departments = [];
    byPerm.set(permission, held);
  }
  return json(200, { permissions: [...byPerm.values()] });
}
