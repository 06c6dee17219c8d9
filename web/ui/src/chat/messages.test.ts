import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import type { Space } from '../files/api';
import { ackProgress, sortForMe, type Announcement } from '../announcements/api';
import { uploadSpace } from './attachments';
import { sortChats } from './ChatList';
import { blockedPhrase } from './errors';
import { applyMessagingEvent, chatKeys, onTyping } from './live';
import { ALL, inMention, mayMentionAll, mentionCandidates, mentionsOf } from './mentions';
import { appendMessage, applyUpdate, highlightParts, mayRecall, mergeMessages, pagesMessages, unreadLabel, withDayDividers, type InfinitePages } from './messages';
import { chat, ME, msg } from './testData';
import type { ChatPage } from './types';

const pages = (...lists: ReturnType<typeof msg>[][]): InfinitePages => ({ pages: lists.map((items) => ({ items, has_more: true })), pageParams: lists.map(() => undefined) });

describe('merging a chat’s messages', () => {
  it('keeps each message once, by id and by seq, in sequence order, the later copy winning', () => {
    const edited = msg(2, { body: 'edited', edited: true });
    const merged = mergeMessages([msg(3), msg(1), msg(2)], [edited, msg(4)], [msg(3)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(merged[1].body).toBe('edited');
    // The same seq under another id (a stale copy) is not shown twice.
    expect(mergeMessages([msg(5)], [msg(5, { id: 'other' })]).map((m) => m.id)).toEqual(['other']);
  });

  it('flattens the pages of history, newest page first, without thread replies', () => {
    const data = pages([msg(3), msg(4), msg(5, { thread_root_id: 'm3' })], [msg(1), msg(2)]);
    expect(pagesMessages(data).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('appends a live message once, and reports a gap when messages were missed', () => {
    const data = pages([msg(1), msg(2)]);
    const once = appendMessage(data, msg(3));
    expect(once.gap).toBe(false);
    const twice = appendMessage(once.data, msg(3));
    expect(pagesMessages(twice.data).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(appendMessage(twice.data, msg(7)).gap).toBe(true);
    // A thread reply's seq is the chat's too; it is no gap in the main history.
    expect(appendMessage(twice.data, msg(9, { thread_root_id: 'm1' })).gap).toBe(false);
  });

  it('applies a recall: the body goes and the placeholder shows', () => {
    const m = applyUpdate(msg(1, { attachments: [{ id: 'f', name: 'a.png', size: 1, content_type: 'image/png' }] }), { chat_id: 'c1', message_id: 'm1', kind: 'recalled' });
    expect(m).toMatchObject({ recalled: true, body: '', body_html: '', attachments: [] });
    const e = applyUpdate(msg(1), { chat_id: 'c1', message_id: 'm1', kind: 'edited', body: 'new', body_html: '<p>new</p>' });
    expect(e).toMatchObject({ edited: true, body: 'new', body_html: '<p>new</p>' });
  });

  it('keeps my own reaction state when someone else reacts', () => {
    const mine = msg(1, { reactions: [{ emoji: '👍', count: 1, mine: true }] });
    const m = applyUpdate(mine, { chat_id: 'c1', message_id: 'm1', kind: 'reaction', reactions: [{ emoji: '👍', count: 2, mine: true }, { emoji: '🎉', count: 1, mine: true }], actor_id: 'u-other' }, ME);
    expect(m.reactions).toEqual([
      { emoji: '👍', count: 2, mine: true },
      { emoji: '🎉', count: 1, mine: false },
    ]);
  });
});

describe('day dividers', () => {
  it('put one divider before the first message of each day, as the user’s zone counts days', () => {
    const list = [
      msg(1, { created_at: '2025-03-02T15:00:00Z' }), // 23:00 in Shanghai, 2 March
      msg(2, { created_at: '2025-03-02T16:30:00Z' }), // 00:30 in Shanghai, 3 March
      msg(3, { created_at: '2025-03-03T01:00:00Z' }),
      msg(4, { created_at: '2025-03-05T01:00:00Z' }),
    ];
    const dayOf = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(iso));
    const items = withDayDividers(list, dayOf);
    expect(items.map((i) => (i.kind === 'day' ? `day ${i.day}` : i.message.seq))).toEqual(['day 2025-03-02', 1, 'day 2025-03-03', 2, 3, 'day 2025-03-05', 4]);
    expect(withDayDividers([], dayOf)).toEqual([]);
  });
});

describe('the unread badge', () => {
  it('shows the count, 99+ past 99, and nothing at none', () => {
    expect(unreadLabel(0)).toBe('');
    expect(unreadLabel(7)).toBe('7');
    expect(unreadLabel(99)).toBe('99');
    expect(unreadLabel(100)).toBe('99+');
  });

  it('orders pinned chats first, then by last activity', () => {
    const at = (iso: string) => ({ seq: 1, sender_name: 'x', excerpt: 'x', recalled: false, deleted: false, attachments: 0, created_at: iso });
    const list = sortChats([
      chat('old', { last_message: at('2025-03-01T00:00:00Z') }),
      chat('pinned-old', { pinned: true, last_message: at('2025-01-01T00:00:00Z') }),
      chat('new', { last_message: at('2025-03-04T00:00:00Z') }),
    ]);
    expect(list.map((c) => c.id)).toEqual(['pinned-old', 'new', 'old']);
  });
});

describe('recall', () => {
  it('is offered to the sender only, within two minutes', () => {
    const now = Date.parse('2025-03-03T02:01:59Z');
    expect(mayRecall(msg(1, { sender_id: ME }), ME, now)).toBe(true);
    expect(mayRecall(msg(1, { sender_id: ME }), ME, Date.parse('2025-03-03T02:02:00Z'))).toBe(false);
    expect(mayRecall(msg(1), ME, now)).toBe(false);
    expect(mayRecall(msg(1, { sender_id: ME, recalled: true }), ME, now)).toBe(false);
  });
});

describe('the mention picker', () => {
  const found = [
    { user_id: 'u-zhang', name: '张伟', role: 'member' as const, department: '研发部' },
    { user_id: ME, name: 'Li Na', role: 'owner' as const },
    { user_id: 'u-zhang', name: '张伟', role: 'member' as const },
  ];
  it('offers what the server found (pinyin included) without me, each once', () => {
    expect(mentionCandidates(found, 'zw', ME, false, ['所有人', 'all'])).toEqual([{ id: 'u-zhang', name: '张伟', department: '研发部' }]);
  });

  it('offers @all first where allowed and when what was typed could be its start', () => {
    expect(mentionCandidates(found, '', ME, true, ['所有人', 'all'])[0]).toEqual({ id: ALL, name: '所有人' });
    expect(mentionCandidates(found, 'al', ME, true, ['All', 'all'])[0].id).toBe(ALL);
    expect(mentionCandidates(found, 'zw', ME, true, ['All', 'all']).map((c) => c.id)).toEqual(['u-zhang']);
  });

  it('allows @all to chat admins, or to anyone in a small chat, never in a direct chat', () => {
    expect(mayMentionAll({ kind: 'adhoc', member_count: 10, my_role: 'member' })).toBe(true);
    expect(mayMentionAll({ kind: 'group', member_count: 200, my_role: 'member' })).toBe(false);
    expect(mayMentionAll({ kind: 'group', member_count: 200, my_role: 'admin' })).toBe(true);
    expect(mayMentionAll({ kind: 'direct', member_count: 2, my_role: 'owner' })).toBe(false);
  });

  it('sends the picked members still named in the text, each once', () => {
    const picked = [
      { id: 'u-zhang', name: '张伟' },
      { id: 'u-li', name: '李雷' },
      { id: 'u-zhang', name: '张伟' },
      { id: ALL, name: '所有人' },
    ];
    expect(mentionsOf('@张伟 看一下', picked)).toEqual({ ids: ['u-zhang'], all: false });
    expect(mentionsOf('@所有人 @张伟 @李雷', picked)).toEqual({ ids: ['u-zhang', 'u-li'], all: true });
  });

  it('knows when Enter picks a member rather than sends', () => {
    expect(inMention('hello @zw')).toBe(true);
    expect(inMention('@')).toBe(true);
    expect(inMention('hello @zw ')).toBe(false);
    expect(inMention('mail a@b')).toBe(false);
  });
});

describe('search results', () => {
  it('highlight by character, Chinese and emoji counting one each', () => {
    expect(highlightParts('我们明天开会讨论预算', [[4, 6]])).toEqual([
      { text: '我们明天', hit: false },
      { text: '开会', hit: true },
      { text: '讨论预算', hit: false },
    ]);
    expect(highlightParts('🎉 budget 🎉', [[2, 8]])).toEqual([
      { text: '🎉 ', hit: false },
      { text: 'budget', hit: true },
      { text: ' 🎉', hit: false },
    ]);
    expect(highlightParts('abc', [])).toEqual([{ text: 'abc', hit: false }]);
  });
});

describe('a blocked message', () => {
  it('names the phrase the server quoted', () => {
    expect(blockedPhrase('This message contains “机密”, which your organisation does not allow.')).toBe('机密');
    expect(blockedPhrase('refused')).toBeUndefined();
  });
});

describe('attachments', () => {
  const space = (id: string, kind: Space['kind'], owner: string, can_write = true) => ({ id, kind, owner_id: owner, can_write }) as Space;
  const spaces = [space('s-me', 'personal', ME), space('s-g', 'group', 'g1'), space('s-d', 'department', 'd1', false)];
  it('go into the group’s or department’s space, else my own', () => {
    expect(uploadSpace(chat('g', { kind: 'group', group_id: 'g1' }), spaces, ME)?.id).toBe('s-g');
    expect(uploadSpace(chat('d', { kind: 'department', department_id: 'd1' }), spaces, ME)?.id).toBe('s-me');
    expect(uploadSpace(chat('x', { kind: 'direct' }), spaces, ME)?.id).toBe('s-me');
    expect(uploadSpace(chat('a', { kind: 'adhoc' }), [], ME)).toBeUndefined();
  });
});

describe('announcements', () => {
  const a = (id: string, over: Partial<Announcement>): Announcement => ({
    id,
    title: id,
    body_html: '',
    requires_ack: false,
    acked_at: null,
    body: '',
    published_by: 'u-li',
    published_by_name: 'Li Na',
    published_at: '2025-03-01T00:00:00Z',
    scope: 'org',
    target_id: 'org',
    target_name: 'Acme',
    recipient: true,
    pending: false,
    can_manage: false,
    ...over,
  });
  it('pin those waiting for my acknowledgement at the top', () => {
    const list = sortForMe([
      a('new', { published_at: '2025-03-05T00:00:00Z' }),
      a('pending-old', { requires_ack: true, published_at: '2025-02-01T00:00:00Z' }),
      a('acked', { requires_ack: true, acked_at: '2025-03-02T00:00:00Z', published_at: '2025-03-02T00:00:00Z' }),
      a('pending-new', { requires_ack: true, published_at: '2025-03-03T00:00:00Z' }),
    ]);
    expect(list.map((x) => x.id)).toEqual(['pending-new', 'pending-old', 'new', 'acked']);
  });

  it('count acknowledgement progress', () => {
    expect(ackProgress({ acked_count: 600, recipient_count: 1000 })).toEqual({ acked: 600, total: 1000, percent: 60 });
    expect(ackProgress({ acked_count: 2, pending_count: 1 })).toEqual({ acked: 2, total: 3, percent: 66 });
    expect(ackProgress({})).toEqual({ acked: 0, total: 0, percent: 0 });
  });
});

describe('live messaging events', () => {
  const ORG = 'o1';
  const event = (type: string, payload: Record<string, unknown>, actor = 'u-zhang') => ({
    id: 1,
    type,
    org_id: ORG,
    actor_id: actor,
    subject_type: 'chat',
    subject_id: 'c1',
    payload,
    created_at: '2025-03-03T02:00:00Z',
  });
  const setup = () => {
    const client = new QueryClient();
    client.setQueryData(['me'], { user: { id: ME } });
    client.setQueryData(chatKeys.messages(ORG, 'c1'), pages([msg(1), msg(2)]));
    client.setQueryData<ChatPage>([...chatKeys.lists(ORG), ''], { items: [chat('c1', { last_seq: 2, last_read_seq: 2 }), chat('c2')], total: 2 });
    return client;
  };
  const list = (client: QueryClient) => client.getQueryData<ChatPage>([...chatKeys.lists(ORG), ''])!.items;

  it('append a new message once and count it unread in the list', () => {
    const client = setup();
    const e = event('messages.message_created', { chat_id: 'c1', message: msg(3) });
    applyMessagingEvent(client, e);
    applyMessagingEvent(client, e);
    expect(pagesMessages(client.getQueryData(chatKeys.messages(ORG, 'c1'))).map((m) => m.seq)).toEqual([1, 2, 3]);
    const c1 = list(client).find((c) => c.id === 'c1')!;
    expect(c1).toMatchObject({ last_seq: 3, unread: 1 });
    expect(c1.last_message?.excerpt).toBe('message 3');
  });

  it('do not count my own message, sent from another device, as unread', () => {
    const client = setup();
    applyMessagingEvent(client, event('messages.message_created', { chat_id: 'c1', message: msg(3, { sender_id: ME }) }, ME));
    expect(list(client).find((c) => c.id === 'c1')).toMatchObject({ unread: 0, last_read_seq: 3 });
  });

  it('patch an update: a recall shows the placeholder', () => {
    const client = setup();
    const last = { seq: 2, sender_name: 'Li Na', excerpt: 'message 2', recalled: false, deleted: false, attachments: 0, created_at: '2025-03-03T02:00:00Z' };
    client.setQueryData<ChatPage>([...chatKeys.lists(ORG), ''], { items: [chat('c1', { last_seq: 2, last_read_seq: 2, last_message: last })], total: 1 });
    applyMessagingEvent(client, event('messages.message_updated', { chat_id: 'c1', message_id: 'm2', seq: 2, kind: 'recalled' }));
    expect(pagesMessages(client.getQueryData(chatKeys.messages(ORG, 'c1')))[1]).toMatchObject({ recalled: true, body: '' });
    // Nor does the chat list show its text as the last message any more: it says it was recalled.
    expect(list(client)[0].last_message).toMatchObject({ seq: 2, excerpt: '', recalled: true });
    // A removal of an earlier message leaves the last one as it is.
    applyMessagingEvent(client, event('messages.message_updated', { chat_id: 'c1', message_id: 'm1', seq: 1, kind: 'deleted' }));
    expect(list(client)[0].last_message).toMatchObject({ seq: 2, recalled: true });
    expect(list(client)[0].last_message?.deleted).toBe(false);
  });

  it('clear my badge when I read on another device, and refresh my messages’ read lists when others read', async () => {
    const client = setup();
    client.setQueryData<ChatPage>([...chatKeys.lists(ORG), ''], { items: [chat('c1', { last_seq: 5, last_read_seq: 2, unread: 3 })], total: 1 });
    applyMessagingEvent(client, event('messages.read', { chat_id: 'c1', user_id: ME, seq: 5 }, ME));
    expect(list(client)[0]).toMatchObject({ unread: 0, last_read_seq: 5 });

    client.setQueryData(chatKeys.reads(ORG, 'c1', 'm1', 1), { read_count: 0 });
    client.setQueryData(chatKeys.reads(ORG, 'c1', 'm9', 9), { read_count: 0 });
    applyMessagingEvent(client, event('messages.read', { chat_id: 'c1', user_id: 'u-zhang', seq: 5 }));
    expect(client.getQueryState(chatKeys.reads(ORG, 'c1', 'm1', 1))?.isInvalidated).toBe(true);
    expect(client.getQueryState(chatKeys.reads(ORG, 'c1', 'm9', 9))?.isInvalidated).toBe(false);
  });

  it('tell the open conversation who is typing, but not about me', () => {
    const client = setup();
    const seen = vi.fn();
    const off = onTyping(seen);
    applyMessagingEvent(client, event('messages.typing', { chat_id: 'c1', user_id: 'u-zhang', name: '张伟' }));
    applyMessagingEvent(client, event('messages.typing', { chat_id: 'c1', user_id: ME, name: 'Li Na' }, ME));
    off();
    expect(seen).toHaveBeenCalledTimes(1);
    expect(seen).toHaveBeenCalledWith({ chat_id: 'c1', user_id: 'u-zhang', name: '张伟' });
  });
});
