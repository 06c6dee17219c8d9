import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath } from '../test/directoryData';
import { fakeApi, json, me } from '../test/fakeApi';
import { location, renderAt } from '../test/render';
import type { SetupGuide } from './SetupGuidePage';

const KEYS = ['profile', 'departments', 'people', 'admins', 'policy', 'group_chat'] as const;

function guide(done: string[], dismissed = false): SetupGuide {
  return { steps: KEYS.map((key) => ({ key, done: done.includes(key) })), done: done.length, total: KEYS.length, dismissed };
}

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the setup guide', () => {
  it('shows each step with its progress and links, and hides the guide', async () => {
    let current = guide(['profile', 'departments']);
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/setup`]: () => json(200, current),
      [`PUT ${adminPath}/setup`]: (_req, body) => {
        current = { ...current, dismissed: (body as { dismissed: boolean }).dismissed };
        return json(200, current);
      },
    });
    renderAt('/console/setup');
    expect(await screen.findByRole('heading', { name: 'Set up your organisation', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('2 of 6 done')).toBeInTheDocument();
    expect(screen.getByTestId('setup-step-profile')).toHaveAttribute('data-done', 'true');
    expect(screen.getByTestId('setup-step-people')).toHaveAttribute('data-done', 'false');
    const people = within(screen.getByTestId('setup-step-people'));
    expect(people.getByText('People')).toBeInTheDocument();

    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(screen.getByRole('button', { name: 'Hide the guide' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ dismissed: true }));
    expect(await screen.findByText('The guide is hidden. It stays here in the menu.')).toBeInTheDocument();

    await user.click(people.getByRole('link', { name: 'Open: People' }));
    await waitFor(() => expect(location()).toBe('/console/import'));
  });

  it('opens the console on the guide until the setup is done or the guide hidden', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/setup`]: () => json(200, guide(['profile'])),
    });
    renderAt('/console');
    await waitFor(() => expect(location()).toBe('/console/setup'));
    expect(await screen.findByRole('link', { name: 'Setup guide' })).toBeInTheDocument();
  });

  it('opens the console on its first page once the guide is hidden', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/setup`]: () => json(200, guide(['profile'], true)),
    });
    renderAt('/console');
    await waitFor(() => expect(location()).toBe('/console/members'));
  });

  it('reads in Chinese', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })),
      [`GET ${adminPath}/setup`]: () => json(200, guide(KEYS.slice())),
    });
    renderAt('/console/setup');
    expect(await screen.findByRole('heading', { name: '设置你的组织', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('已完成 6/6')).toBeInTheDocument();
    expect(screen.getByText('全部设置完成。')).toBeInTheDocument();
  });
});
