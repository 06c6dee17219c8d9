import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath } from '../test/directoryData';
import { fakeApi, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';
import type { Webhook, WebhookDelivery } from './WebhooksPage';

const hook: Webhook = {
  id: 'wh-1',
  url: 'https://hooks.example.com/canopy',
  event_types: ['files.file_shared'],
  active: false,
  paused_at: '2030-05-01T00:00:00Z',
  failure_count: 20,
  created_by: 'u1',
  created_at: '2030-04-01T00:00:00Z',
};

const failed: WebhookDelivery = {
  id: 'dl-1',
  subscription_id: 'wh-1',
  event_id: 7,
  event_type: 'files.file_shared',
  data: {},
  status: 'failed',
  attempts: 12,
  next_attempt_at: null,
  last_status: 503,
  last_error: 'the receiver answered 503',
  occurred_at: '2030-04-30T00:00:00Z',
  created_at: '2030-04-30T00:00:00Z',
  delivered_at: null,
};

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the webhooks page', () => {
  it('creates a webhook, shows its secret once, and redelivers a failed delivery', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/webhooks`]: () => json(200, { items: [hook], event_types: ['files.file_shared', 'files.file_uploaded'] }),
      [`POST ${adminPath}/webhooks`]: (_req, body) =>
        json(201, { ...hook, id: 'wh-2', active: true, paused_at: null, failure_count: 0, ...(body as object), secret: 'whsec_shown_once' }),
      [`GET ${adminPath}/webhooks/wh-1/deliveries`]: () => json(200, { items: [failed] }),
      [`GET ${adminPath}/webhooks/wh-2/deliveries`]: () => json(200, { items: [] }),
      [`POST ${adminPath}/webhooks/wh-1/deliveries/dl-1/redeliver`]: () => json(202, { ...failed, id: 'dl-2', status: 'pending', attempts: 0 }),
    });
    renderAt('/console/webhooks');
    expect(await screen.findByRole('heading', { name: 'Webhooks', level: 1 })).toBeInTheDocument();
    // The paused subscription says why.
    expect(await screen.findByText('Paused after 20 failures')).toBeInTheDocument();
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });

    // Its deliveries, with the failed one's redeliver button.
    await user.click(screen.getByRole('button', { name: 'Deliveries of https://hooks.example.com/canopy' }));
    const row = (await screen.findByText('Failed')).closest('tr')!;
    expect(within(row).getByText('A file or folder was shared')).toBeInTheDocument();
    await user.click(within(row).getByRole('button', { name: 'Redeliver' }));
    await waitFor(() => expect(calls.some((c) => c.path.endsWith('/redeliver'))).toBe(true));

    // A new one: the known event types are offered, and the secret is shown once.
    await user.click(screen.getByLabelText('Endpoint URL'));
    await user.paste('https://erp.example.com/hook');
    await user.click(screen.getByRole('checkbox', { name: 'A file was uploaded' }));
    await user.click(screen.getByRole('button', { name: 'Add webhook' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === `${adminPath}/webhooks`)).toBe(true));
    expect(calls.find((c) => c.method === 'POST' && c.path === `${adminPath}/webhooks`)!.body).toEqual({
      url: 'https://erp.example.com/hook',
      event_types: ['files.file_uploaded'],
    });
    const dialog = await screen.findByRole('dialog', { name: 'The webhook’s signing secret' });
    expect(within(dialog).getByDisplayValue('whsec_shown_once')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByDisplayValue('whsec_shown_once')).not.toBeInTheDocument());
  });

  it('speaks 简体中文', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })),
      [`GET ${adminPath}/webhooks`]: () => json(200, { items: [hook], event_types: ['files.file_shared'] }),
    });
    renderAt('/console/webhooks');
    expect(await screen.findByText('连续失败 20 次后已暂停')).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: '文件或文件夹被共享' })).toBeInTheDocument();
  });
});
