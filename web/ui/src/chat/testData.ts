import type { Chat, Message } from './types';

/** Builders for the messaging tests, of the shapes the OpenAPI document gives (chat/types.ts). */
export const ME = '00000000-0000-4000-8000-000000000001';

export function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    chat_id: 'c1',
    seq,
    sender_id: 'u-zhang',
    sender_name: '张伟',
    client_id: `client-${seq}`,
    body: `message ${seq}`,
    body_html: `<p>message ${seq}</p>`,
    thread_root_id: null,
    reply_count: 0,
    last_reply_at: null,
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
    edited_at: null,
    ...over,
  };
}

export function chat(id: string, over: Partial<Chat> = {}): Chat {
  return {
    id,
    kind: 'adhoc',
    name: `Chat ${id}`,
    description: '',
    avatar_file_id: null,
    group_id: null,
    department_id: null,
    unread: 0,
    last_read_seq: 0,
    last_seq: 0,
    muted: false,
    pinned: false,
    member_count: 3,
    my_role: 'member',
    peer_id: null,
    last_message: null,
    archived: false,
    legal_hold: false,
    created_at: '2025-03-01T00:00:00Z',
    updated_at: '2025-03-01T00:00:00Z',
    ...over,
  };
}
