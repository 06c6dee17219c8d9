import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Me, PendingInvitation } from '../api/client';
import i18n from '../i18n';
import { apiError, fakeApi, json, me } from '../test/fakeApi';
import { location, renderAt } from '../test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

const ACME = '00000000-0000-4000-8000-000000000100';
const GLOBEX = '00000000-0000-4000-8000-0000000002aa';

function nobodysMember(): Me {
  return { ...me(), organisations: [] };
}

function pending(overrides: Partial<PendingInvitation> = {}): PendingInvitation {
  return {
    id: '00000000-0000-4000-8000-00000000a001',
    org_id: GLOBEX,
    org_name: 'Globex',
    role: 'member',
    max_uses: 1,
    uses: 0,
    expires_at: '2030-01-02T03:04:05Z',
    revoked: false,
    created_at: '2025-06-01T00:00:00Z',
    email: 'li.na@example.com',
    ...overrides,
  };
}

describe('invitations waiting for the signed-in person', () => {
  it('let someone provisioned by another organisation join it from the “no organisation” page', async () => {
    let joined = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () =>
        json(200, joined ? { ...me(), organisations: [{ id: GLOBEX, name: 'Globex', role: 'member', status: 'active' }] } : nobodysMember()),
      'GET /api/v1/me/invitations': () => json(200, { items: joined ? [] : [pending()] }),
      'POST /api/v1/me/invitations/00000000-0000-4000-8000-00000000a001/accept': () => {
        joined = true;
        return json(200, { org_id: GLOBEX, user: me().user });
      },
    });
    renderAt('/messages');
    expect(await screen.findByText('You are not in an organisation yet')).toBeInTheDocument();
    const banner = await screen.findByRole('region', { name: 'Invitations for you' });
    expect(within(banner).getByText('Globex invites you to join as Member.')).toBeInTheDocument();
    expect(within(banner).getByText(/valid until .*2030/)).toBeInTheDocument();

    await userEvent.setup({ delay: null }).click(within(banner).getByRole('button', { name: 'Join Globex' }));
    expect(await screen.findByText('You joined Globex.')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Organisation: Globex' })).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Invitations for you' })).not.toBeInTheDocument());
    // The chats page the app opens on says the user is online; nothing else is written.
    expect(calls.filter((c) => c.method === 'POST' && !c.path.endsWith('/me/presence')).map((c) => c.path)).toEqual([
      '/api/v1/me/invitations/00000000-0000-4000-8000-00000000a001/accept',
    ]);
  });

  it('show beside the current organisation, and can be put off', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      'GET /api/v1/me/invitations': () => json(200, { items: [pending({ role: 'guest' })] }),
    });
    renderAt('/messages');
    expect(await screen.findByText('Globex invites you to join as Guest.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: 'Later: Globex' }));
    expect(screen.queryByRole('region', { name: 'Invitations for you' })).not.toBeInTheDocument();
  });

  it('say why joining failed', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      'GET /api/v1/me/invitations': () => json(200, { items: [pending()] }),
      'POST /api/v1/me/invitations/00000000-0000-4000-8000-00000000a001/accept': () => apiError(409, 'invitation_expired', 'the invitation has expired'),
    });
    renderAt('/messages');
    await userEvent.setup({ delay: null }).click(await screen.findByRole('button', { name: 'Join Globex' }));
    expect(await screen.findByText('This invitation has expired. Ask for a new one.')).toBeInTheDocument();
    expect(location()).toBe('/messages');
  });

  it('are not asked for with an API token', async () => {
    const { calls } = fakeApi({ 'GET /api/v1/me': () => json(200, { ...me(), auth: { method: 'token', token_org_id: ACME } }) });
    renderAt('/messages');
    expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/api/v1/me/invitations')).toBe(false);
  });

  it('speak Chinese', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })),
      'GET /api/v1/me/invitations': () => json(200, { items: [pending({ role: 'admin' })] }),
    });
    renderAt('/messages');
    expect(await screen.findByText('Globex 邀请你以「管理员」身份加入。')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '加入 Globex' })).toBeInTheDocument();
  });
});

describe('an invitation for one email', () => {
  const forLiNa = (account_state: string) => () =>
    json(200, { org_name: 'Globex', role: 'member', expires_at: '2030-01-01T00:00:00Z', email: 'li.na@example.com', account_state });

  it('sends a person whose account was never activated to activate it, not to sign in', async () => {
    const { calls } = fakeApi({ 'GET /api/v1/me': () => json(200, me()), 'GET /api/v1/invitations/abc': forLiNa('needs_activation') });
    renderAt('/invite/abc');
    expect(
      await screen.findByText(
        'Your account hasn’t been activated yet. Open the activation link your administrator gave you, set a password, then come back to this invitation.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Join Globex' })).not.toBeInTheDocument();
    expect(screen.queryByText(/Sign in first/)).not.toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('in Chinese too', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })), 'GET /api/v1/invitations/abc': forLiNa('needs_activation') });
    renderAt('/invite/abc');
    expect(await screen.findByText('你的账号尚未激活。请打开管理员给你的激活链接设置密码，然后再回到此邀请。')).toBeInTheDocument();
  });

  it('lets its person join with their active account', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, me()), 'GET /api/v1/invitations/abc': forLiNa('active') });
    renderAt('/invite/abc');
    expect(await screen.findByRole('button', { name: 'Join Globex' })).toBeInTheDocument();
  });

  it('tells someone signed in as another account whose it is', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, me()), 'GET /api/v1/invitations/abc': forLiNa('unknown') });
    renderAt('/invite/abc');
    expect(await screen.findByText('This invitation is for li.na@example.com. Sign out, then sign in with that account to accept it.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Join Globex' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Not you? Sign out' })).toBeInTheDocument();
  });

  it('tells someone signed out about activation, and fills in the email', async () => {
    fakeApi({ 'GET /api/v1/me': () => apiError(401, 'unauthenticated', 'sign in'), 'GET /api/v1/invitations/abc': forLiNa('unknown') });
    renderAt('/invite/abc');
    expect(await screen.findByText(/This invitation is for li.na@example.com. If your administrator gave you an activation link/)).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveValue('li.na@example.com');
    expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/login?next=%2Finvite%2Fabc&email=li.na%40example.com');
  });
});
