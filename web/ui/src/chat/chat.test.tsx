import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { applyEvent } from '../notifications/useLiveEvents';
import { orgPath } from '../test/directoryData';
import { apiError, fakeApi, json, me, type Handler } from '../test/fakeApi';
import { renderAt } from '../test/render';
import { chat, ME, msg } from './testData';
import type { Message } from './types';

const ORG = '00000000-0000-4000-8000-000000000100';
const c1 = chat('c1', { name: 'Launch team', unread: 2, last_seq: 3, last_read_seq: 1, pinned: true, member_count: 3 });
const c2 = chat('c2', { name: 'Zhang Wei', kind: 'direct', muted: true, unread: 4 });

function history(): Message[] {
  return [
    msg(1, { created_at: '2025-03-02T02:00:00Z', body: 'yesterday', body_html: '<p>yesterday</p>' }),
    msg(2, { created_at: '2025-03-03T02:00:00Z', recalled: true, body: '', body_html: '' }),
    msg(3, { created_at: '2025-03-03T02:01:00Z', sender_id: ME, sender_name: 'Li Na', body: 'mine', body_html: '<p><strong>mine</strong></p>', read_count: 1 }),
  ];
}

function routes(extra: Record<string, Handler> = {}, locale: 'en' | 'zh-CN' = 'en') {
  return fakeApi({
    'GET /api/v1/me': () => json(200, me({ role: 'member', locale })),
    [`GET ${orgPath}/chats`]: () => json(200, { items: [c2, c1], total: 2 }),
    [`GET ${orgPath}/chats/c1`]: () => json(200, c1),
    [`GET ${orgPath}/chats/c1/messages`]: () => json(200, { items: history(), has_more: false }),
    [`POST ${orgPath}/chats/c1/read`]: () => json(204, null),
    [`POST ${orgPath}/me/presence`]: () => json(204, null),
    [`GET ${orgPath}/spaces`]: () => json(200, { items: [] }),
    ...extra,
  });
}

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the chat list', () => {
  it('shows pinned chats first, unread badges and the muted mark', async () => {
    routes();
    renderAt('/messages');
    const rows = await screen.findAllByTestId('chat-item');
    expect(rows.map((r) => r.getAttribute('data-chat-id'))).toEqual(['c1', 'c2']);
    expect(within(rows[0]).getByTestId('chat-unread')).toHaveTextContent('2');
    expect(within(rows[0]).getByTestId('chat-pinned')).toBeInTheDocument();
    expect(within(rows[1]).getByTestId('chat-muted')).toBeInTheDocument();
    expect(within(rows[1]).getByTestId('chat-unread')).toHaveTextContent('4');
  });
});

describe('a conversation', () => {
  it('shows the history with day dividers, Markdown, the recalled placeholder, and marks it read', async () => {
    const { calls } = routes();
    renderAt('/messages/c1');
    const items = await screen.findAllByTestId('message');
    expect(items.map((m) => m.getAttribute('data-seq'))).toEqual(['1', '2', '3']);
    expect(screen.getAllByTestId('day-divider')).toHaveLength(2);
    expect(within(items[1]).getByTestId('message-recalled')).toHaveTextContent('Message recalled');
    expect(within(items[2]).getByText('mine').tagName).toBe('STRONG');
    await waitFor(() => expect(calls.find((c) => c.method === 'POST' && c.path.endsWith('/chats/c1/read'))?.body).toEqual({ seq: 3 }));
  });

  it('shows "read by N" on my messages and opens who has read and who has not', async () => {
    routes({
      [`GET ${orgPath}/chats/c1/messages/m3/reads`]: () =>
        json(200, { read: [{ user_id: 'u-zhang', name: '张伟' }], unread: [{ user_id: 'u-li', name: '李雷' }], read_count: 1, unread_count: 1, hidden_count: 0 }),
    });
    renderAt('/messages/c1');
    const button = await screen.findByTestId('read-count');
    expect(button).toHaveTextContent('Read by 1');
    expect(screen.getAllByTestId('read-count')).toHaveLength(1);
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(button);
    const list = await screen.findByTestId('read-list');
    expect(await within(list).findByTestId('reads-read')).toHaveTextContent('张伟');
    expect(within(list).getByTestId('reads-read-tab')).toHaveTextContent('Read (1)');
    expect(within(list).getByTestId('reads-unread-tab')).toHaveTextContent('Unread (1)');
  });

  it('sends with Enter, with a client id and the mentioned member, and shows the stored message', async () => {
    const { calls } = routes({
      [`GET ${orgPath}/chats/c1/members`]: () => json(200, { items: [{ user_id: 'u-zhang', name: '张伟', role: 'member', department: '研发部' }], total: 1 }),
      [`POST ${orgPath}/chats/c1/messages`]: (_req, body) => {
        const b = body as { body: string; client_id: string };
        return json(201, msg(4, { id: 'm4', sender_id: ME, sender_name: 'Li Na', body: b.body, body_html: `<p>${b.body}</p>`, client_id: b.client_id }));
      },
      [`POST ${orgPath}/chats/c1/typing`]: () => json(204, null),
    });
    renderAt('/messages/c1');
    await screen.findAllByTestId('message');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    const box = screen.getByRole('textbox', { name: 'Message Launch team' });
    await user.type(box, '@zw');
    await user.click(await screen.findByTestId('mention-option-张伟'));
    await user.type(box, 'ok{Enter}');

    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/chats/c1/messages'))).toBe(true));
    const post = calls.find((c) => c.method === 'POST' && c.path.endsWith('/chats/c1/messages'))!;
    expect(post.body).toMatchObject({ body: '@张伟 ok', mention_ids: ['u-zhang'] });
    expect((post.body as { client_id: string }).client_id).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('message').map((m) => m.getAttribute('data-seq'))).toEqual(['1', '2', '3', '4']));
    expect(box).toHaveValue('');
  }, 120_000);

  it('says clearly why a message was blocked and keeps the text', async () => {
    routes({
      [`POST ${orgPath}/chats/c1/messages`]: () => apiError(422, 'content_blocked', 'This message contains “机密”, which your organisation does not allow.'),
      [`POST ${orgPath}/chats/c1/typing`]: () => json(204, null),
    });
    renderAt('/messages/c1');
    await screen.findAllByTestId('message');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    const box = screen.getByRole('textbox', { name: 'Message Launch team' });
    await user.type(box, '机密{Enter}');
    expect(await screen.findByText('This message contains “机密”, which your organisation does not allow.')).toBeInTheDocument();
    expect(box).toHaveValue('机密');
  });

  it('adds messages that arrive live, once, and follows who is typing', async () => {
    routes();
    const client = renderAt('/messages/c1');
    await screen.findAllByTestId('message');
    const created = { id: 1, type: 'messages.message_created', org_id: ORG, actor_id: 'u-zhang', subject_type: 'chat', subject_id: 'c1', created_at: '2025-03-03T02:05:00Z' };
    act(() => {
      applyEvent(client, { ...created, payload: { chat_id: 'c1', message: msg(4, { body_html: '<p>live one</p>' }) } });
      applyEvent(client, { ...created, payload: { chat_id: 'c1', message: msg(4, { body_html: '<p>live one</p>' }) } });
      applyEvent(client, { ...created, type: 'messages.typing', payload: { chat_id: 'c1', user_id: 'u-zhang', name: '张伟' } });
    });
    expect(await screen.findByText('live one')).toBeInTheDocument();
    expect(screen.getAllByTestId('message')).toHaveLength(4);
    await waitFor(() => expect(screen.getByTestId('typing-indicator')).toHaveTextContent('张伟 is typing…'));
  });

  it('recalls my message from its menu within two minutes', async () => {
    const now = new Date().toISOString();
    const { calls } = routes({
      [`GET ${orgPath}/chats/c1/messages`]: () => json(200, { items: [msg(1, { sender_id: ME, sender_name: 'Li Na', created_at: now, read_count: 0 })], has_more: false }),
      [`POST ${orgPath}/chats/c1/messages/m1/recall`]: () => json(200, msg(1, { sender_id: ME, sender_name: 'Li Na', created_at: now, recalled: true, body: '', body_html: '' })),
    });
    renderAt('/messages/c1');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByTestId('message-menu'));
    await user.click(await screen.findByTestId('recall-item'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/m1/recall'))).toBe(true));
    expect(await screen.findByTestId('message-recalled')).toHaveTextContent('Message recalled');
  });

  it('speaks Chinese: the recalled placeholder reads 消息已撤回', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    routes({}, 'zh-CN');
    renderAt('/messages/c1');
    expect(await screen.findByTestId('message-recalled')).toHaveTextContent('消息已撤回');
    expect(await screen.findByTestId('read-count')).toHaveTextContent('1 人已读');
  });

  it('links attachments through the chat, so every member may open them', async () => {
    const at = `${orgPath}/chats/c1/messages/m1/attachments`;
    routes({
      [`GET ${orgPath}/chats/c1/messages`]: () =>
        json(200, {
          items: [
            msg(1, {
              body: '',
              body_html: '',
              attachments: [
                { id: 'f1', name: 'plan.pdf', size: 2048, content_type: 'application/pdf', url: `${at}/f1` },
                { id: 'f2', name: 'photo.png', size: 4096, content_type: 'image/png', url: `${at}/f2`, thumbnail_url: `${at}/f2/thumbnail` },
              ],
            }),
          ],
          has_more: false,
        }),
    });
    renderAt('/messages/c1');
    expect(await screen.findByTestId('attachment-file')).toHaveAttribute('href', `${at}/f1?download=1`);
    const image = screen.getByTestId('attachment-image');
    expect(image).toHaveAttribute('href', `${at}/f2`);
    expect(within(image).getByRole('img', { name: 'photo.png' })).toHaveAttribute('src', `${at}/f2/thumbnail`);
  });

  it('opens a thread beside the conversation and replies in it', async () => {
    const root = msg(1, { reply_count: 1 });
    const { calls } = routes({
      [`GET ${orgPath}/chats/c1/messages`]: () => json(200, { items: [root], has_more: false }),
      [`GET ${orgPath}/chats/c1/messages/m1/thread`]: () => json(200, { root, items: [msg(2, { thread_root_id: 'm1', body_html: '<p>first reply</p>' })], has_more: false }),
      [`POST ${orgPath}/chats/c1/messages`]: (_req, body) => json(201, msg(3, { sender_id: ME, thread_root_id: 'm1', body_html: `<p>${(body as { body: string }).body}</p>` })),
      [`POST ${orgPath}/chats/c1/typing`]: () => json(204, null),
    });
    renderAt('/messages/c1');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByTestId('reply-count'));
    const panel = await screen.findByTestId('thread-panel');
    expect(await within(panel).findByText('first reply')).toBeInTheDocument();
    await user.type(within(panel).getByRole('textbox'), 'ok{Enter}');
    await waitFor(() => expect(calls.find((c) => c.method === 'POST' && c.path.endsWith('/messages'))?.body).toMatchObject({ body: 'ok', thread_root_id: 'm1' }));
    expect(await within(panel).findByText('ok')).toBeInTheDocument();
  });
});
