import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { fakeApi, json, me } from '../test/fakeApi';
import { location, renderAt } from '../test/render';
import type { Notification } from './api';

const ACME = '00000000-0000-4000-8000-000000000100';
const FILE = '00000000-0000-4000-8000-00000000f001';
const NOTE = '00000000-0000-4000-8000-00000000a001';

/** sockets are the fake WebSockets the app opened, newest last. */
let sockets: FakeWebSocket[] = [];
class FakeWebSocket {
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: unknown) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  constructor(readonly url: string) {
    sockets.push(this);
  }
  close() {}
}

beforeEach(async () => {
  sockets = [];
  sessionStorage.clear();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function shared(readAt: string | null = null): Notification {
  return {
    id: NOTE,
    type: 'files.file_shared',
    event_id: 1,
    subject_type: 'file',
    subject_id: FILE,
    actor_id: '00000000-0000-4000-8000-000000000002',
    payload: { target_type: 'file', target_id: FILE, name: '报告.pdf', role: 'viewer', shared_by_name: 'Li Lei', space_id: 'sp' },
    created_at: '2025-06-01T00:00:00Z',
    read_at: readAt,
  };
}

describe('the notification bell', () => {
  it('rises live on an event, lists the notification and opens the shared file', async () => {
    let unread = 0;
    let read = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      'GET /api/v1/me/invitations': () => json(200, { items: [] }),
      [`GET /api/v1/orgs/${ACME}/notifications/unread-count`]: () => json(200, { unread }),
      [`GET /api/v1/orgs/${ACME}/notifications`]: () =>
        json(200, { items: unread || read ? [shared(read ? '2025-06-01T00:01:00Z' : null)] : [], total: unread, unread: read ? 0 : unread }),
      [`POST /api/v1/orgs/${ACME}/notifications/${NOTE}/read`]: () => {
        read = true;
        unread = 0;
        return json(204, null);
      },
      [`GET /api/v1/orgs/${ACME}/shared-with-me`]: () => json(200, { items: [] }),
      [`GET /api/v1/orgs/${ACME}/spaces`]: () => json(200, { items: [] }),
    });
    renderAt('/messages');
    const bell = await screen.findByRole('button', { name: 'Notifications, 0 unread' });
    await waitFor(() => expect(sockets).toHaveLength(1));
    expect(sockets[0].url).toMatch(/\/api\/v1\/ws$/);

    // Someone shares a file: the server pushes the event, and the bell refetches its count.
    unread = 1;
    act(() => {
      sockets[0].onopen?.({});
      sockets[0].onmessage?.({
        data: JSON.stringify({ type: 'event', seq: 7, event: { id: 1, type: 'files.file_shared', org_id: ACME, subject_type: 'file', subject_id: FILE, payload: {}, created_at: '' } }),
      });
    });
    expect(await screen.findByRole('button', { name: 'Notifications, 1 unread' })).toBe(bell);
    expect(sessionStorage.getItem('canopy.events.since')).toBe('7');

    const user = userEvent.setup({ delay: null });
    await user.click(bell);
    const item = await screen.findByRole('link', { name: /Li Lei shared 报告\.pdf with you/ });
    await user.click(item);
    // The shared view opens the preview, then drops ?preview= from the address.
    await waitFor(() => expect(location()).toBe('/files/shared'));
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith(`/notifications/${NOTE}/read`))).toBe(true);
    expect(await screen.findByRole('button', { name: 'Notifications, 0 unread' })).toBeInTheDocument();
  });

  it('speaks Chinese', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    expect(i18n.t('notifications.kinds.fileShared', { actor: '李雷', name: '报告.pdf' })).toBe('李雷 与你共享了 报告.pdf');
  });
});
