// Any C0 or C1 control character, DEL included. Browsers drop tabs and newlines from URLs before
// they parse them, so "/\t/evil.example" would become "//evil.example": another site.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// A throwaway origin to resolve a path against: what matters is whether the result stays on it.
const BASE = 'https://canopy.invalid';

/** decoded percent-decodes once (what a router does with a path), or returns null for malformed input. */
function decoded(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/**
 * safeNext returns the path to go back to after signing in, or null. Only a same-origin absolute
 * path is accepted: one "/" then not another "/" or "\", no control character (tab and newline
 * included) even once percent-decoded, no scheme, and nothing that resolves to another origin. So
 * /login?next=... can send nobody to another site, nor to a blank page.
 */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  const plain = decoded(next);
  if (plain === null || CONTROL.test(next) || CONTROL.test(plain) || plain.includes('\\') || plain.startsWith('//')) return null;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  if (url.pathname === '/login' || url.pathname.startsWith('/login/')) return null;
  return next;
}

/** afterSignIn is where to go once signed in: the requested path when it is safe, else the home page. */
export function afterSignIn(next: string | null | undefined): string {
  return safeNext(next) ?? '/';
}

/** loginPath is the sign-in page that returns to `path` afterwards. */
export function loginPath(path: string): string {
  return safeNext(path) && path !== '/' ? `/login?next=${encodeURIComponent(path)}` : '/login';
}

/** LoginState is what a page that sends someone to sign in tells the sign-in page (in the history state). */
export interface LoginState {
  /** The account was just activated: say so, and that its new password works now. */
  activated?: boolean;
  /** The password was just reset with an emailed link: say so. */
  passwordReset?: boolean;
}

/** CHANGE_PASSWORD is the page where a person replaces the initial password an administrator chose. */
export const CHANGE_PASSWORD = '/change-password';

/**
 * changePasswordPath is the "choose a new password" page that goes on to `path` afterwards (the
 * page that was asked for), carried in ?next= like the sign-in page's.
 */
export function changePasswordPath(path: string): string {
  const next = safeNext(path);
  const own = next !== null && new URL(next, BASE).pathname === CHANGE_PASSWORD;
  return next && next !== '/' && !own ? `${CHANGE_PASSWORD}?next=${encodeURIComponent(next)}` : CHANGE_PASSWORD;
}
