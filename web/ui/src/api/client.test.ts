import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, readCookie, setUnauthorizedHandler, unwrap } from './client';
import { apiError, fakeApi, json } from '../test/fakeApi';

afterEach(() => {
  document.cookie = 'canopy_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
  setUnauthorizedHandler(undefined);
  vi.unstubAllGlobals();
});

describe('the API client', () => {
  it('sends the CSRF cookie back as X-CSRF-Token on writes only', async () => {
    document.cookie = 'canopy_csrf=tok-123; path=/';
    const { calls } = fakeApi({
      'GET /api/v1/orgs': () => json(200, { items: [] }),
      'POST /api/v1/orgs': () => json(201, { id: 'x', name: 'A', default_locale: 'en', member_count: 1, created_at: '' }),
    });
    await unwrap(api.GET('/api/v1/orgs'));
    await unwrap(api.POST('/api/v1/orgs', { body: { name: 'A' } }));
    expect(calls[0].headers.get('X-CSRF-Token')).toBeNull();
    expect(calls[1].headers.get('X-CSRF-Token')).toBe('tok-123');
  });

  it('turns an error body into an ApiError with the server’s code and message', async () => {
    fakeApi({
      'POST /api/v1/auth/login': () =>
        json(429, { error: { code: 'too_many_attempts', message: 'slow down', request_id: 'r-9' } }, { 'Retry-After': '30' }),
    });
    const err = await unwrap(api.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x' } })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, code: 'too_many_attempts', message: 'slow down', requestId: 'r-9', retryAfter: 30 });
  });

  it('reports a 401 as an ended session, except a wrong password at sign-in', async () => {
    const ended = vi.fn();
    setUnauthorizedHandler(ended);
    fakeApi({
      'GET /api/v1/me': () => apiError(401, 'session_expired', 'expired'),
      'POST /api/v1/auth/login': () => apiError(401, 'invalid_credentials', 'wrong'),
    });
    await unwrap(api.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x' } })).catch(() => {});
    expect(ended).not.toHaveBeenCalled();
    await unwrap(api.GET('/api/v1/me')).catch(() => {});
    expect(ended).toHaveBeenCalledOnce();
  });
});

describe('readCookie', () => {
  it('finds one cookie among several', () => {
    expect(readCookie('canopy_csrf', 'a=1; canopy_csrf=x%3Dy; b=2')).toBe('x=y');
    expect(readCookie('missing', 'a=1')).toBeUndefined();
  });
});
