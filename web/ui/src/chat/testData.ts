import type { Chat, Message } from './types';

/** Builders for the messaging tests. */
export const ME = '00000000-0000-4000-8000-000000000001';

export function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    chat_id: 'c1',
    seq,
    sender_id: 'u-zhang',
    sender_name: '张伟',
    body: `message ${seq}`,
    body_html: `<p>message ${seq}</p>`,
    thread_root_id: null,
    reply_count: 0,
    quote: null,
    mentions: [],
    mention_all: false,
    attachments: [],
    reactions: [],
    pinned: false,
    edited: false,
    recalled: false,
    deleted: false,
    created_at: '2025-03-03T02:00:00Z',
    ...over,
  };
}

export function chat(id: string, over: Partial<Chat> = {}): Chat {
  return {
    id,
    kind: 'adhoc',
    name: `Chat ${id}`,
    unread: 0,
    last_read_seq: 0,
    last_seq: 0,
    muted: false,
    pinned: false,
    member_count: 3,
    my_role: 'member',
    last_message: null,
    archived: false,
    ...over,
  };
}
