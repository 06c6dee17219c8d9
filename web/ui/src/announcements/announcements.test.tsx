import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { orgPath } from '../test/directoryData';
import { apiError, fakeApi, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';
import type { Announcement, PublishedAnnouncement } from './api';

const base: Announcement = {
  id: 'a1',
  title: 'Office move',
  body_html: '<p>We move on <strong>Monday</strong>.</p>',
  requires_ack: false,
  acked_at: null,
  body: 'We move on **Monday**.',
  published_by: 'u-li',
  published_by_name: 'Li Na',
  published_at: '2025-03-05T00:00:00Z',
  scope: 'org',
  target_id: 'org',
  target_name: 'Acme',
  recipient: true,
  pending: false,
  can_manage: false,
};

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('announcements for me', () => {
  it('pins the one waiting for my acknowledgement at the top and acknowledges it', async () => {
    let acked = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      [`GET ${orgPath}/announcements`]: () =>
        json(200, {
          items: [base, { ...base, id: 'a2', title: 'New expense policy', requires_ack: true, acked_at: acked ? '2025-03-06T00:00:00Z' : null, published_at: '2025-03-01T00:00:00Z' }],
        }),
      [`GET ${orgPath}/admin/announcements`]: () => apiError(403, 'forbidden', 'no'),
      [`POST ${orgPath}/announcements/a2/ack`]: () => {
        acked = true;
        return json(204, null);
      },
    });
    renderAt('/announcements');
    const items = await screen.findAllByTestId('announcement');
    expect(items.map((i) => i.getAttribute('data-id'))).toEqual(['a2', 'a1']);
    expect(items[0]).toHaveAttribute('data-pending', 'true');
    expect(within(items[1]).queryByTestId('ack-button')).not.toBeInTheDocument();
    expect(within(items[1]).getByText('Monday').tagName).toBe('STRONG');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(within(items[0]).getByTestId('ack-button'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/announcements/a2/ack'))).toBe(true));
    await waitFor(() => expect(screen.queryByTestId('ack-button')).not.toBeInTheDocument());
    expect(screen.queryByTestId('published-tab')).not.toBeInTheDocument();
  });

  it('speaks Chinese', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member', locale: 'zh-CN' })),
      [`GET ${orgPath}/announcements`]: () => json(200, { items: [{ ...base, requires_ack: true }] }),
      [`GET ${orgPath}/admin/announcements`]: () => apiError(403, 'forbidden', 'no'),
    });
    renderAt('/announcements');
    expect(await screen.findByTestId('ack-button')).toHaveTextContent('确认收到');
    expect(screen.getByRole('heading', { name: '公告', level: 1 })).toBeInTheDocument();
  });
});

describe('the publisher', () => {
  const published: PublishedAnnouncement = { ...base, id: 'a2', title: 'New expense policy', requires_ack: true, acked_count: 1, recipient_count: 3 };

  it('sees acknowledgement progress, who has and has not, reminds them and downloads the CSV', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'admin' })),
      [`GET ${orgPath}/admin/announcements`]: () => json(200, { items: [published] }),
      [`GET ${orgPath}/announcements/a2/acks`]: (req) =>
        new URL(req.url).searchParams.get('state') === 'acked'
          ? json(200, { items: [{ user_id: 'u1', name: '张伟', department: '研发部', acked_at: '2025-03-05T02:00:00Z' }], total: 1, acked_count: 1, pending_count: 2 })
          : json(200, { items: [{ user_id: 'u2', name: '李雷' }, { user_id: 'u3', name: 'Han Meimei' }], total: 2, acked_count: 1, pending_count: 2 }),
      [`POST ${orgPath}/announcements/a2/remind`]: () => json(200, { reminded: 2 }),
    });
    renderAt('/console/announcements');
    const progress = await screen.findByTestId('announcement-progress');
    expect(progress).toHaveAttribute('data-acked', '1');
    expect(progress).toHaveAttribute('data-total', '3');
    expect(progress).toHaveTextContent('1 / 3 acknowledged');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(screen.getByTestId('open-acks'));
    expect(await screen.findByText('李雷')).toBeInTheDocument();
    expect(screen.getByTestId('acks-csv')).toHaveAttribute('href', `${orgPath}/announcements/a2/acks.csv`);
    await user.click(screen.getByTestId('remind-button'));
    expect(await screen.findByText('Reminded 2 people.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/a2/remind'))).toBe(true);
  });

  it('says when to try again after a reminder too soon', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'admin' })),
      [`GET ${orgPath}/admin/announcements`]: () => json(200, { items: [published] }),
      [`GET ${orgPath}/announcements/a2/acks`]: () => json(200, { items: [], total: 0, acked_count: 1, pending_count: 2 }),
      [`POST ${orgPath}/announcements/a2/remind`]: () =>
        json(429, { error: { code: 'too_many_requests', message: 'reminded recently', request_id: 'r' } }, { 'Retry-After': '540' }),
    });
    renderAt('/console/announcements');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByTestId('open-acks'));
    await user.click(await screen.findByTestId('remind-button'));
    expect(await screen.findByText(/9 minutes/)).toBeInTheDocument();
  });
});
