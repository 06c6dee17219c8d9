/**
 * safeNext returns the path to go back to after signing in, or null. Only a same-origin path is
 * accepted, so /login?next=... cannot send anyone to another site.
 */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (next.startsWith('/login')) return null;
  return next;
}

/** loginPath is the sign-in page that returns to `path` afterwards. */
export function loginPath(path: string): string {
  return safeNext(path) && path !== '/' ? `/login?next=${encodeURIComponent(path)}` : '/login';
}
