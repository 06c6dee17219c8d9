import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { orgPath } from '../test/directoryData';
import { fakeApi, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';
import { chat } from '../chat/testData';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the console’s chats', () => {
  it('lists group and department chats with member counts, toggles legal hold and links the export', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'admin' })),
      [`GET ${orgPath}/admin/chats`]: () => json(200, { items: [chat('g1', { kind: 'group', name: 'Marketing', member_count: 12 })], total: 1 }),
      [`PUT ${orgPath}/chats/g1/legal-hold`]: () => json(204, null),
    });
    renderAt('/console/chats');
    const table = await screen.findByTestId('admin-chats');
    expect(await within(table).findByText('Marketing')).toBeInTheDocument();
    expect(within(table).getByText('12 members')).toBeInTheDocument();
    expect(within(table).getByTestId('export-chat')).toHaveAttribute('href', `${orgPath}/chats/g1/export`);
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(within(table).getByTestId('legal-hold'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT' && c.path.endsWith('/chats/g1/legal-hold'))).toBe(true));
  });
});

describe('the console’s messaging settings', () => {
  it('let an admin allow members to turn read receipts off', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'admin' })),
      [`GET ${orgPath}/admin/chats`]: () => json(200, { items: [], total: 0 }),
      [`GET ${orgPath}/messaging/settings`]: () => json(200, { retention_days: null, allow_receipt_opt_out: false, mention_all_max: 50 }),
      [`PUT ${orgPath}/messaging/settings`]: (_req, body) => json(200, body),
    });
    renderAt('/console/chats');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByTestId('messaging-settings-tab'));
    const optOut = await screen.findByTestId('receipt-opt-out');
    expect(optOut).not.toBeChecked();
    await user.click(optOut);
    await user.click(screen.getByTestId('messaging-settings-save'));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PUT' && c.path.endsWith('/messaging/settings'))?.body).toEqual({ retention_days: null, allow_receipt_opt_out: true, mention_all_max: 50 }),
    );
  });
});

describe('content rules', () => {
  it('lists rules and the review list, and reviews a flagged item', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'admin', locale: 'zh-CN' })),
      [`GET ${orgPath}/content-rules`]: () => json(200, { items: [{ id: 'r1', phrase: '机密', action: 'block', created_by: null, created_at: '2025-03-01T00:00:00Z', updated_at: '2025-03-01T00:00:00Z' }] }),
      [`GET ${orgPath}/content-flags`]: () =>
        json(200, { items: [{ id: 'f1', rule_id: 'r2', phrase: 'secret', chat_id: 'c1', message_id: 'm1', sender_id: 'u1', sender_name: '张伟', kind: 'message', excerpt: 'a secret plan', created_at: '2025-03-02T00:00:00Z', reviewed_at: null, reviewed_by: null, decision: null }], total: 1 }),
      [`POST ${orgPath}/content-flags/f1/review`]: () => json(204, null),
    });
    await act(() => i18n.changeLanguage('zh-CN'));
    renderAt('/console/content-rules');
    expect(await screen.findByText('机密')).toBeInTheDocument();
    expect(screen.getByText('拦截')).toBeInTheDocument();
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(screen.getByTestId('review-tab'));
    expect(await screen.findByText('a secret plan')).toBeInTheDocument();
    await user.click(screen.getByTestId('dismiss-flag'));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST' && c.path.endsWith('/content-flags/f1/review'))?.body).toEqual({ decision: 'dismissed' }));
  });
});
