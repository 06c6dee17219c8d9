import { describe, expect, it } from 'vitest';
import { afterSignIn, loginPath, safeNext } from './next';

describe('safeNext', () => {
  it.each(['/console/members?q=li', '/ok?x=1', '/invite/abc', '/directory/people/u1#card', '/console/members?q=100%25'])('keeps the same-origin path %s', (next) => {
    expect(safeNext(next)).toBe(next);
  });

  it.each([
    ['another origin', 'https://evil.com'],
    ['a protocol-relative URL', '//evil.com'],
    ['a backslash the browser reads as a slash', '/\\evil.com'],
    ['a backslash further in', '/a/..\\..\\/evil.com'],
    ['a tab before the slashes', '\t//evil.com'],
    ['a tab between the slashes', '/\t/evil.com'],
    ['a newline between the slashes', '/\n/evil.com'],
    ['an encoded tab between the slashes', '/%09/evil.com'],
    ['an encoded slash', '/%2F/evil.com'],
    ['an encoded backslash', '/%5Cevil.com'],
    ['a NUL character', '/ok\u0000'],
    ['a scheme', 'javascript:alert(1)'],
    ['a scheme after a slash-less start', 'data:text/html,hi'],
    ['malformed percent-encoding', '/%E0%A4%A'],
    ['the sign-in page itself', '/login?next=/x'],
    ['nothing', ''],
    ['null', null],
    ['undefined', undefined],
  ])('refuses %s', (_, next) => {
    expect(safeNext(next)).toBeNull();
  });
});

describe('afterSignIn', () => {
  it('goes where the link asked when that is safe', () => {
    expect(afterSignIn('/ok?x=1')).toBe('/ok?x=1');
  });
  it.each(['//evil.com', '/\\evil.com', '\t//evil.com', 'https://evil.com', 'javascript:alert(1)', '/%09/evil.com', null])(
    'goes home instead of to %s',
    (next) => {
      expect(afterSignIn(next)).toBe('/');
    },
  );
});

describe('loginPath', () => {
  it('carries the way back', () => {
    expect(loginPath('/messages')).toBe('/login?next=%2Fmessages');
  });
  it('needs no way back to the home page', () => {
    expect(loginPath('/')).toBe('/login');
  });
});
