import { describe, expect, it } from 'vitest';
import { loginPath, safeNext } from './next';

describe('safeNext', () => {
  it('keeps a same-origin path', () => {
    expect(safeNext('/console/members?q=li')).toBe('/console/members?q=li');
  });
  it.each(['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', null, '/login?next=/x'])(
    'refuses %s',
    (next) => {
      expect(safeNext(next)).toBeNull();
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
