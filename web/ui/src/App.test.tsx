import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from './i18n';
import { BASE_MEMBER_PERMISSIONS, apiError, fakeApi, heldPermissions, json, me } from './test/fakeApi';
import { location, renderAt } from './test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('signing in', () => {
  it('sends a signed-out visitor to sign in, then back where they were', async () => {
    let signedIn = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () => (signedIn ? json(200, me()) : apiError(401, 'unauthenticated', 'sign in')),
      'POST /api/v1/auth/login': () => {
        signedIn = true;
        return json(200, { user: me().user, csrf_token: 'c', expires_at: '2030-01-01T00:00:00Z' });
      },
    });
    renderAt('/messages');
    expect(await screen.findByRole('heading', { name: 'Sign in to Canopy' })).toBeInTheDocument();
    expect(location()).toBe('/login?next=%2Fmessages');

    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByLabelText('Email'), 'li.na@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    expect(location()).toBe('/messages');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'li.na@example.com', password: 'correct horse' });
  });

  it.each(['%09%2F%2Fevil.example', '%2F%5Cevil.example', '%2F%2509%2Fevil.example', 'https%3A%2F%2Fevil.example', 'javascript%3Aalert(1)'])(
    'lands on the home page after a crafted next=%s',
    async (next) => {
      let signedIn = false;
      fakeApi({
        'GET /api/v1/me': () => (signedIn ? json(200, me()) : apiError(401, 'unauthenticated', 'sign in')),
        'POST /api/v1/auth/login': () => {
          signedIn = true;
          return json(200, { user: me().user, csrf_token: 'c', expires_at: '2030-01-01T00:00:00Z' });
        },
      });
      renderAt(`/login?next=${next}`);
      const user = userEvent.setup({ delay: null });
      await user.type(await screen.findByLabelText('Email'), 'li.na@example.com');
      await user.type(screen.getByLabelText('Password'), 'correct horse');
      await user.click(screen.getByRole('button', { name: 'Sign in' }));
      expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
      expect(location()).toBe('/messages');
    },
  );

  it('says in words when to try again after too many attempts, in either language', async () => {
    fakeApi({
      'GET /api/v1/me': () => apiError(401, 'unauthenticated', 'sign in'),
      'POST /api/v1/auth/login': () =>
        json(429, { error: { code: 'too_many_attempts', message: 'too many attempts', request_id: 'r' } }, { 'Retry-After': '840' }),
    });
    renderAt('/login');
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('Email'), 'li.na@example.com');
    await user.type(screen.getByLabelText('Password'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts. Try again in 14 minutes.');
    await act(() => i18n.changeLanguage('zh-CN'));
    await user.click(screen.getByRole('button', { name: '登录' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('尝试次数过多，请在 14 分钟后重试。'));
  });

  it('says so when the password is wrong', async () => {
    fakeApi({
      'GET /api/v1/me': () => apiError(401, 'unauthenticated', 'sign in'),
      'POST /api/v1/auth/login': () => apiError(401, 'invalid_credentials', 'the email or password is wrong'),
    });
    renderAt('/login');
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('Email'), 'li.na@example.com');
    await user.type(screen.getByLabelText('Password'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is wrong.');
  });
});

describe('the app shell', () => {
  it('opens on the chats, with every module in the navigation', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      'GET /api/v1/orgs/00000000-0000-4000-8000-000000000100/me/permissions': () => heldPermissions(...BASE_MEMBER_PERMISSIONS, 'directory.manage@d-eng'),
    });
    renderAt('/');
    expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    expect(screen.getByTestId('chat-list')).toBeInTheDocument();
    expect(location()).toBe('/messages');
    for (const name of ['Messages', 'Announcements', 'Tasks', 'Files', 'Directory']) {
      expect(screen.getByRole('link', { name })).toBeInTheDocument();
    }
    // A member who holds a department-scoped role is offered the console.
    expect(await screen.findByRole('link', { name: 'Admin console' })).toBeInTheDocument();
  });

  it('gives a guest no way into the console', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, me({ role: 'guest' })) });
    renderAt('/messages');
    expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Admin console' })).not.toBeInTheDocument();
  });

  it('links owners and admins to the console', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, me({ role: 'admin' })) });
    renderAt('/files');
    expect(await screen.findByRole('link', { name: 'Admin console' })).toHaveAttribute('href', '/console');
  });

  it('speaks the language of the user’s profile', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })) });
    renderAt('/messages');
    expect(await screen.findByRole('heading', { name: '消息' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '发起会话' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('zh-CN');
  });

  it('saves a language switch to the profile', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      'PATCH /api/v1/me': (_req, body) => json(200, { ...me().user, ...(body as object) }),
    });
    renderAt('/messages');
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Language: English' }));
    await user.click(await screen.findByRole('menuitem', { name: '简体中文' }));
    expect(await screen.findByRole('heading', { name: '消息' })).toBeInTheDocument();
    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ locale: 'zh-CN' }));
  });

  it('sends the user to sign in when the session ends, and remembers the page', async () => {
    let ended = false;
    fakeApi({
      'GET /api/v1/me': () => (ended ? apiError(401, 'session_expired', 'expired') : json(200, me())),
      'GET /api/v1/orgs/00000000-0000-4000-8000-000000000100/tokens': () => {
        ended = true;
        return apiError(401, 'session_expired', 'your session has expired');
      },
    });
    renderAt('/profile');
    expect(await screen.findByRole('heading', { name: 'Sign in to Canopy' })).toBeInTheDocument();
    expect(location()).toBe('/login?next=%2Fprofile');
  });
});

describe('the console', () => {
  it('is closed to guests', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, me({ role: 'guest' })) });
    renderAt('/console/members');
    expect(await screen.findByText('Not available to guests')).toBeInTheDocument();
  });

  it('lists members with their status', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      'GET /api/v1/orgs/00000000-0000-4000-8000-000000000100/members': () =>
        json(200, {
          items: [
            { user_id: me().user.id, email: 'li.na@example.com', display_name: 'Li Na', role: 'owner', status: 'active', joined_at: '2025-01-02T03:04:05Z' },
            { user_id: 'u2', email: 'wang@example.com', display_name: 'Wang Wei', role: 'member', status: 'deactivated', joined_at: '2025-01-03T03:04:05Z', deactivated_at: '2025-02-01T00:00:00Z' },
          ],
          total: 2,
        }),
      'GET /api/v1/orgs/00000000-0000-4000-8000-000000000100/invitations': () => json(200, { items: [] }),
      // An owner sees the people table.
      'GET /api/v1/admin/orgs/00000000-0000-4000-8000-000000000100/people': () =>
        json(200, {
          items: [
            { user_id: me().user.id, email: 'li.na@example.com', display_name: 'Li Na', role: 'owner', status: 'active', joined_at: '2025-01-02T03:04:05Z', employee_number: null, job_title: '', mobile: null, work_location: '', manager: null, hire_date: null, departments: [] },
            { user_id: 'u2', email: 'wang@example.com', display_name: 'Wang Wei', role: 'member', status: 'deactivated', joined_at: '2025-01-03T03:04:05Z', employee_number: null, job_title: '', mobile: null, work_location: '', manager: null, hire_date: null, departments: [] },
          ],
          total: 2,
          next_cursor: null,
        }),
    });
    renderAt('/console');
    expect(await screen.findByText('Wang Wei')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reactivate Wang Wei' })).toBeInTheDocument();
    // Nobody deactivates themselves.
    expect(screen.queryByRole('button', { name: 'Deactivate Li Na' })).not.toBeInTheDocument();
    expect(screen.getByText('No invitation links yet.')).toBeInTheDocument();
  });
});

describe('an invitation link', () => {
  it('names the organisation and creates the account', async () => {
    let joined = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () => (joined ? json(200, me({ role: 'member' })) : apiError(401, 'unauthenticated', 'sign in')),
      'GET /api/v1/invitations/abc': () => json(200, { org_name: 'Acme', role: 'member', expires_at: '2030-01-01T00:00:00Z' }),
      'POST /api/v1/invitations/abc/accept': () => {
        joined = true;
        return json(200, { org_id: '00000000-0000-4000-8000-000000000100', user: me().user, csrf_token: 'c' });
      },
    });
    renderAt('/invite/abc');
    expect(await screen.findByRole('heading', { name: 'Join Acme' })).toBeInTheDocument();
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByLabelText('Email'), 'wang@example.com');
    await user.type(screen.getByLabelText('Display name'), 'Wang Wei');
    await user.type(screen.getByLabelText('Password'), 'Moss-and-fern-42');
    await user.click(screen.getByRole('button', { name: 'Create account and join' }));
    expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    const accept = calls.find((c) => c.method === 'POST');
    expect(accept?.body).toMatchObject({ email: 'wang@example.com', display_name: 'Wang Wei', password: 'Moss-and-fern-42', locale: 'en' });
  });

  it('lets a signed-in user join with one click', async () => {
    let joined = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, joined ? me({ orgs: 2 }) : me()),
      'GET /api/v1/invitations/xyz': () => json(200, { org_name: 'Org 1', role: 'admin', expires_at: '2030-01-01T00:00:00Z' }),
      'POST /api/v1/invitations/xyz/accept': () => {
        joined = true;
        return json(200, { org_id: '00000000-0000-4000-8000-000000000101', user: me().user });
      },
    });
    renderAt('/invite/xyz');
    expect(await screen.findByText('You are signed in as li.na@example.com.')).toBeInTheDocument();
    expect(screen.getByText(/You are invited as Admin/)).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: 'Join Org 1' }));
    expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({});
    // The organisation just joined becomes the current one.
    expect(screen.getByRole('button', { name: 'Organisation: Org 1' })).toBeInTheDocument();
  });

  it('translates a known error code', async () => {
    fakeApi({
      'GET /api/v1/me': () => apiError(401, 'unauthenticated', 'sign in'),
      'GET /api/v1/invitations/abc': () => json(200, { org_name: 'Acme', role: 'member', expires_at: '2030-01-01T00:00:00Z' }),
      'POST /api/v1/invitations/abc/accept': () => apiError(409, 'email_taken', 'an account with this email already exists; sign in first'),
    });
    await act(() => i18n.changeLanguage('zh-CN'));
    renderAt('/invite/abc');
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('邮箱'), 'li.na@example.com');
    await user.type(screen.getByLabelText('显示名称'), 'Li Na');
    await user.type(screen.getByLabelText('密码'), 'Moss-and-fern-42');
    await user.click(screen.getByRole('button', { name: '创建账号并加入' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('该邮箱已注册账号');
  });

  it('explains an expired invitation', async () => {
    fakeApi({
      'GET /api/v1/me': () => apiError(401, 'unauthenticated', 'sign in'),
      'GET /api/v1/invitations/old': () => apiError(409, 'invitation_expired', 'the invitation has expired'),
    });
    renderAt('/invite/old');
    expect(await screen.findByText('This invitation has expired. Ask for a new one.')).toBeInTheDocument();
  });
});
