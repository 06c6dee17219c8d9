import { act, screen, waitFor } from '@testing-library/react';
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
const preview = { email: 'wei.zhang@acme.example', display_name: 'Zhang Wei', org_name: 'Acme', expires_at: '2030-01-02T03:04:05Z' };

describe('an activation link', () => {
  it('shows whose account it is, sets the password, and leads to sign in with the email filled in', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': signedOut,
      'GET /api/v1/activation/tok-1': () => json(200, preview),
      'POST /api/v1/activation/tok-1': () => json(200, { email: preview.email }),
    });
    renderAt('/activate/tok-1');
    expect(await screen.findByRole('heading', { name: 'Activate your Acme account' })).toBeInTheDocument();
    expect(screen.getByText(/Hello Zhang Wei/)).toBeInTheDocument();
    expect(screen.getByText('wei.zhang@acme.example')).toBeInTheDocument();
    expect(screen.getByText(/2030/)).toBeInTheDocument();

    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByLabelText('Choose a password'), 'Moss-and-fern-42');
    await user.type(screen.getByLabelText('Repeat the password'), 'Moss-and-fern-24');
    await user.click(screen.getByRole('button', { name: 'Activate account' }));
    // The two differ: nothing is sent.
    expect(await screen.findByText('The two passwords are not the same.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.clear(screen.getByLabelText('Repeat the password'));
    await user.type(screen.getByLabelText('Repeat the password'), 'Moss-and-fern-42');
    await user.click(screen.getByRole('button', { name: 'Activate account' }));

    expect(await screen.findByRole('heading', { name: 'Sign in to Canopy' })).toBeInTheDocument();
    expect(location()).toBe('/login?email=wei.zhang%40acme.example');
    expect(screen.getByText('Your account is activated. Sign in with your new password.')).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveValue('wei.zhang@acme.example');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ password: 'Moss-and-fern-42' });
  });

  it('says why the server refused the password, and keeps the form', async () => {
    fakeApi({
      'GET /api/v1/me': signedOut,
      'GET /api/v1/activation/tok-1': () => json(200, preview),
      'POST /api/v1/activation/tok-1': () => apiError(400, 'password_too_common', 'this password is too common; choose another'),
    });
    renderAt('/activate/tok-1');
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('Choose a password'), 'password123');
    await user.type(screen.getByLabelText('Repeat the password'), 'password123');
    await user.click(screen.getByRole('button', { name: 'Activate account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This password is too common. Choose another.');
    expect(location()).toBe('/activate/tok-1');
  });

  it('asks for the password rules before sending anything', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': signedOut,
      'GET /api/v1/activation/tok-1': () => json(200, preview),
    });
    renderAt('/activate/tok-1');
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('Choose a password'), 'short');
    await user.type(screen.getByLabelText('Repeat the password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Activate account' }));
    await waitFor(() => expect(screen.getAllByText('At least 8 characters.').length).toBeGreaterThan(1));
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('explains a link that is unknown, used or expired', async () => {
    fakeApi({
      'GET /api/v1/me': signedOut,
      'GET /api/v1/activation/old': () => apiError(404, 'activation_invalid', 'the activation link is not valid'),
    });
    await act(() => i18n.changeLanguage('zh-CN'));
    renderAt('/activate/old');
    expect(await screen.findByRole('heading', { name: '该激活链接无法使用' })).toBeInTheDocument();
    expect(screen.getByText(/已被新的链接取代/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '前往登录' })).toHaveAttribute('href', '/login');
  });

  it('explains a link that stops working while the page is open', async () => {
    fakeApi({
      'GET /api/v1/me': signedOut,
      'GET /api/v1/activation/tok-1': () => json(200, preview),
      'POST /api/v1/activation/tok-1': () => apiError(404, 'activation_invalid', 'the activation link is not valid'),
    });
    renderAt('/activate/tok-1');
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('Choose a password'), 'Moss-and-fern-42');
    await user.type(screen.getByLabelText('Repeat the password'), 'Moss-and-fern-42');
    await user.click(screen.getByRole('button', { name: 'Activate account' }));
    expect(await screen.findByRole('heading', { name: 'This activation link can’t be used' })).toBeInTheDocument();
  });
});
