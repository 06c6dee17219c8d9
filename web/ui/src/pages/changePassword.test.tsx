import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, setPasswordChangeHandler, unwrap, type Me } from '../api/client';
import i18n from '../i18n';
import { changePasswordPath } from '../lib/next';
import { apiError, fakeApi, json, me } from '../test/fakeApi';
import { location, renderAt } from '../test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  setPasswordChangeHandler(undefined);
  vi.unstubAllGlobals();
});

/** initial is the signed-in person while their password is still the one IT chose. */
function initial(): Me {
  const m = me({ role: 'member' });
  return { ...m, user: { ...m.user, must_change_password: true } };
}

const refused = () => apiError(403, 'password_change_required', 'change your initial password first (POST /api/v1/me/password)');

async function choose(current: string, password: string, repeat = password) {
  const user = userEvent.setup({ delay: null });
  await user.type(await screen.findByLabelText('Current password'), current);
  await user.type(screen.getByLabelText('New password'), password);
  await user.type(screen.getByLabelText('Repeat the new password'), repeat);
  await user.click(screen.getByRole('button', { name: 'Save and continue' }));
}

describe('an initial password', () => {
  it('must be replaced right after signing in, then the requested page opens', async () => {
    let signedIn = false;
    let changed = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () => (!signedIn ? apiError(401, 'unauthenticated', 'sign in') : changed ? json(200, me({ role: 'member' })) : json(200, initial())),
      'POST /api/v1/auth/login': () => {
        signedIn = true;
        return json(200, { user: initial().user, csrf_token: 'c', expires_at: '2030-01-01T00:00:00Z' });
      },
      'POST /api/v1/me/password': () => {
        changed = true;
        return json(204, null);
      },
    });
    renderAt('/messages');
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('Email'), 'li.na@example.com');
    await user.type(screen.getByLabelText('Password'), 'Given-by-IT-1');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeInTheDocument();
    expect(location()).toBe('/change-password?next=%2Fmessages');
    expect(screen.getByText(/You signed in as li.na@example.com/)).toBeInTheDocument();

    await choose('Given-by-IT-1', 'Moss-and-fern-42');
    expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    expect(location()).toBe('/messages');
    expect(calls.find((c) => c.path === '/api/v1/me/password')?.body).toEqual({ current_password: 'Given-by-IT-1', new_password: 'Moss-and-fern-42' });
  });

  it('keeps every page closed on any load until it is replaced', async () => {
    const { calls } = fakeApi({ 'GET /api/v1/me': () => json(200, initial()) });
    renderAt('/directory?q=zhang');
    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeInTheDocument();
    expect(location()).toBe('/change-password?next=%2Fdirectory%3Fq%3Dzhang');
    // Nothing but /me was asked: the directory never loaded behind the form.
    expect(calls.every((c) => c.path === '/api/v1/me')).toBe(true);
  });

  it('is asked for when any call answers 403 password_change_required', async () => {
    let reset = false;
    fakeApi({
      'GET /api/v1/me': () => json(200, reset ? initial() : me()),
      // An administrator gave the account an initial password while the page was open.
      'GET /api/v1/orgs/00000000-0000-4000-8000-000000000100/tokens': () => {
        reset = true;
        return refused();
      },
    });
    renderAt('/profile');
    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeInTheDocument();
    expect(location()).toBe('/change-password?next=%2Fprofile');
  });

  it('says so when the current password is wrong, and stays', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, initial()),
      'POST /api/v1/me/password': () => apiError(401, 'wrong_password', 'the current password is wrong'),
    });
    renderAt('/change-password?next=%2Ffiles');
    await choose('nope', 'Moss-and-fern-42');
    expect(await screen.findByRole('alert')).toHaveTextContent('The current password is wrong.');
    expect(location()).toBe('/change-password?next=%2Ffiles');
  });

  it('applies the profile’s password rules before sending anything', async () => {
    const { calls } = fakeApi({ 'GET /api/v1/me': () => json(200, initial()) });
    renderAt('/change-password');
    await choose('Given-by-IT-1', 'Moss-and-fern-42', 'Moss-and-fern-24');
    expect(await screen.findByText('The two passwords are not the same.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it.each(['%2F%5Cevil.example', '%09%2F%2Fevil.example'])('goes home after a crafted next=%s', async (next) => {
    let changed = false;
    fakeApi({
      'GET /api/v1/me': () => json(200, changed ? me() : initial()),
      'POST /api/v1/me/password': () => {
        changed = true;
        return json(204, null);
      },
    });
    renderAt(`/change-password?next=${next}`);
    await choose('Given-by-IT-1', 'Moss-and-fern-42');
    expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    expect(location()).toBe('/messages');
  });

  it('is not shown once the password is the person’s own', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, me()) });
    renderAt('/change-password?next=%2Ffiles');
    expect(await screen.findByRole('heading', { name: 'Files' })).toBeInTheDocument();
    expect(location()).toBe('/files');
  });

  it('comes before accepting an invitation', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, initial()),
      'GET /api/v1/invitations/abc': () => json(200, { org_name: 'Acme', role: 'member', expires_at: '2030-01-01T00:00:00Z', email: null, account_state: 'none' }),
    });
    renderAt('/invite/abc');
    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeInTheDocument();
    expect(location()).toBe('/change-password?next=%2Finvite%2Fabc');
  });

  it('speaks Chinese', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, { ...initial(), user: { ...initial().user, locale: 'zh-CN' } }) });
    renderAt('/messages');
    expect(await screen.findByRole('heading', { name: '设置新密码' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '保存并继续' })).toBeInTheDocument();
  });
});

describe('the API client', () => {
  it('reports 403 password_change_required, and no other 403', async () => {
    const required = vi.fn();
    setPasswordChangeHandler(required);
    fakeApi({
      'GET /api/v1/orgs': () => apiError(403, 'forbidden', 'no'),
      'GET /api/v1/me/invitations': refused,
    });
    await unwrap(api.GET('/api/v1/orgs')).catch(() => {});
    expect(required).not.toHaveBeenCalled();
    const err = await unwrap(api.GET('/api/v1/me/invitations')).catch((e) => e);
    expect(required).toHaveBeenCalledOnce();
    // The caller still gets the error, body and all.
    expect(err).toMatchObject({ status: 403, code: 'password_change_required' });
  });
});

describe('changePasswordPath', () => {
  it('carries the way back, but not to itself or home', () => {
    expect(changePasswordPath('/console/members?q=li')).toBe('/change-password?next=%2Fconsole%2Fmembers%3Fq%3Dli');
    expect(changePasswordPath('/')).toBe('/change-password');
    expect(changePasswordPath('/change-password?next=%2Fx')).toBe('/change-password');
    expect(changePasswordPath('//evil.example')).toBe('/change-password');
  });
});
