import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { apiError, fakeApi, json } from '../test/fakeApi';
import { renderAt } from '../test/render';
import type { LinkPreview } from './api';

const TOKEN = 'tok_abcdefghijklmnopqrstuv';
const base = `/api/v1/links/${TOKEN}`;

const preview = (over: Partial<LinkPreview> = {}): LinkPreview => ({
  name: '季度报告.pdf',
  type: 'file',
  size: 4096,
  content_type: 'application/pdf',
  password_required: true,
  unlocked: false,
  expires_at: '2030-06-01T08:00:00Z',
  ...over,
});

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the public page of a share link', () => {
  it('asks for the password, says when it is wrong, then shows and downloads the file', async () => {
    let unlocked = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () => apiError(401, 'unauthenticated', 'no session'),
      [`GET ${base}`]: () => json(200, unlocked ? preview({ unlocked: true }) : { type: 'file', password_required: true, unlocked: false, expires_at: '2030-06-01T08:00:00Z' }),
      [`POST ${base}/unlock`]: (_req, body) => {
        if ((body as { password: string }).password !== 'right horse') return apiError(403, 'wrong_password', 'wrong password');
        unlocked = true;
        return json(204, null);
      },
    });
    renderAt(`/s/${TOKEN}`);
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    expect(await screen.findByText('This link is protected by a password.')).toBeInTheDocument();
    expect(screen.queryByText(/季度报告/)).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /Download/ })).not.toBeInTheDocument();

    const field = screen.getByLabelText('Password');
    await user.type(field, 'wrong');
    await user.click(screen.getByRole('button', { name: 'Open' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That password is not right.');

    await user.clear(field);
    await user.type(field, 'right horse');
    await user.click(screen.getByRole('button', { name: 'Open' }));
    const download = await screen.findByRole('link', { name: /Download/ });
    expect(unlocked).toBe(true);
    expect(screen.getByRole('heading', { name: /季度报告\.pdf/ })).toBeInTheDocument();
    expect(download).toHaveAttribute('href', `${base}/content?download=1`);
    // A PDF opens in the browser's viewer, from the link's content.
    expect(document.querySelector('iframe')).toHaveAttribute('src', `${base}/content`);
    expect(screen.getByText(/Link valid until/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ password: 'wrong' }, { password: 'right horse' }]);
  });

  it('says when to try again after too many wrong passwords (429)', async () => {
    fakeApi({
      'GET /api/v1/me': () => apiError(401, 'unauthenticated', 'no session'),
      [`GET ${base}`]: () => json(200, preview()),
      [`POST ${base}/unlock`]: () => json(429, { error: { code: 'rate_limited', message: 'too many', request_id: 'r' } }, { 'Retry-After': '120' }),
    });
    renderAt(`/s/${TOKEN}`);
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.type(await screen.findByLabelText('Password'), 'guess');
    await user.click(screen.getByRole('button', { name: 'Open' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts. Try again in 2 minutes.');
  });

  it('lists a folder’s files to preview and download, without asking for a password it does not have', async () => {
    fakeApi({
      'GET /api/v1/me': () => apiError(401, 'unauthenticated', 'no session'),
      [`GET ${base}`]: () =>
        json(
          200,
          preview({
            name: 'Photos',
            type: 'folder',
            size: 0,
            content_type: '',
            password_required: false,
            unlocked: true,
            expires_at: null,
            entries: [
              { id: 'f1', type: 'file', name: 'beach.jpg', path: [], size: 1024, content_type: 'image/jpeg', updated_at: '2030-05-01T00:00:00Z', has_thumbnail: true },
              { id: 'f2', type: 'file', name: 'notes.txt', path: ['2030', 'May'], size: 10, content_type: 'text/plain', updated_at: '2030-05-01T00:00:00Z', has_thumbnail: false },
            ],
          }),
        ),
    });
    renderAt(`/s/${TOKEN}`);
    const list = await screen.findByRole('region', { name: 'Files in this folder' });
    expect(within(list).getByRole('link', { name: 'Download beach.jpg' })).toHaveAttribute('href', `${base}/content?file_id=f1&download=1`);
    expect(within(list).queryByRole('button', { name: 'Preview notes.txt' })).not.toBeInTheDocument();
    expect(within(list).getByText('2030 / May / notes.txt')).toBeInTheDocument();
    await userEvent.setup({ delay: null, pointerEventsCheck: 0 }).click(within(list).getByRole('button', { name: 'Preview beach.jpg' }));
    expect(await screen.findByRole('img', { name: 'beach.jpg' })).toHaveAttribute('src', `${base}/content?file_id=f1`);
  });

  it('says plainly that a revoked or expired link does not work', async () => {
    fakeApi({
      'GET /api/v1/me': () => apiError(401, 'unauthenticated', 'no session'),
      [`GET ${base}`]: () => apiError(404, 'not_found', 'no such link'),
    });
    renderAt(`/s/${TOKEN}`);
    expect(await screen.findByRole('heading', { name: 'This link doesn’t work' })).toBeInTheDocument();
  });
});
