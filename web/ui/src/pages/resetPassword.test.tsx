import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { apiError, fakeApi, json } from '../test/fakeApi';
import { location, renderAt } from '../test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const signedOut = () => apiError(401, 'unauthenticated', 'sign in');

describe('password reset', () => {
  it('is offered on the sign-in page and asks for the link by email', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': signedOut,
      'POST /api/v1/auth/password-reset': () => json(202, { status: 'requested' }),
    });
    renderAt('/login');
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('link', { name: 'Forgot password?' }));
    expect(await screen.findByRole('heading', { name: 'Reset your password' })).toBeInTheDocument();
    expect(location()).toBe('/forgot-password');
    await user.type(screen.getByLabelText('Email'), 'li.na@acme.example');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    expect(await screen.findByText(/a link to reset its password is on its way/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'li.na@acme.example' });
  });

  it('sets the new password with the link and leads to sign in', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': signedOut,
      'POST /api/v1/auth/password-reset/tok-9': () => new Response(null, { status: 204 }),
    });
    renderAt('/reset-password/tok-9');
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('New password'), 'Moss-and-fern-42');
    await user.type(screen.getByLabelText('Repeat the password'), 'Moss-and-fern-42');
    await user.click(screen.getByRole('button', { name: 'Set the password' }));
    expect(await screen.findByText('Your password is set. Sign in with it.')).toBeInTheDocument();
    expect(location()).toBe('/login');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ password: 'Moss-and-fern-42' });
  });

  it('says when the link is used or expired, in Chinese too', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    fakeApi({
      'GET /api/v1/me': signedOut,
      'POST /api/v1/auth/password-reset/tok-9': () => apiError(404, 'reset_invalid', 'not valid'),
    });
    renderAt('/reset-password/tok-9');
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('新密码'), 'Moss-and-fern-42');
    await user.type(screen.getByLabelText('再次输入密码'), 'Moss-and-fern-42');
    await user.click(screen.getByRole('button', { name: '设置密码' }));
    expect(await screen.findByText(/此链接已失效/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '重新申请链接' })).toHaveAttribute('href', '/forgot-password');
  });
});
