import type { QueryClient } from '@tanstack/react-query';
import type { StreamEvent } from '../lib/events';
import { appendMessage, applyUpdate, patchMessage, type InfinitePages, type MessageUpdate } from './messages';
import type { Chat, ChatPage, Message, ThreadPage } from './types';

/**
 * The query keys of the messaging module and what its live events do to them. The event stream
 * (notifications/useLiveEvents) loads this small file with the first messaging event, not the
 * module's pages, and not with the first load. Every key starts with ['chats', orgID] or ['announcements', orgID].
 */
export const chatKeys = {
  all: (orgID: string) => ['chats', orgID] as const,
  lists: (orgID: string) => ['chats', orgID, 'list'] as const,
  chat: (orgID: string, chatID: string) => ['chats', orgID, 'chat', chatID] as const,
  messages: (orgID: string, chatID: string) => ['chats', orgID, 'messages', chatID] as const,
  thread: (orgID: string, chatID: string, rootID: string) => ['chats', orgID, 'thread', chatID, rootID] as const,
  threads: (orgID: string, chatID: string) => ['chats', orgID, 'thread', chatID] as const,
  /** A message's read list; the seq lets a read event refresh only the messages it covers. */
  reads: (orgID: string, chatID: string, messageID: string, seq: number) => ['chats', orgID, 'reads', chatID, messageID, seq] as const,
  readsOf: (orgID: string, chatID: string) => ['chats', orgID, 'reads', chatID] as const,
  members: (orgID: string, chatID: string) => ['chats', orgID, 'members', chatID] as const,
  pins: (orgID: string, chatID: string) => ['chats', orgID, 'pins', chatID] as const,
  admin: (orgID: string) => ['chats', orgID, 'admin'] as const,
  settings: (orgID: string) => ['chats', orgID, 'settings'] as const,
  /** My own messaging preferences (read receipts). */
  mine: (orgID: string) => ['chats', orgID, 'mine'] as const,
  search: (orgID: string) => ['chats', orgID, 'search'] as const,
};

export const announcementKeys = {
  all: (orgID: string) => ['announcements', orgID] as const,
  mine: (orgID: string) => ['announcements', orgID, 'mine'] as const,
  admin: (orgID: string) => ['announcements', orgID, 'admin'] as const,
  acks: (orgID: string, id: string) => ['announcements', orgID, 'acks', id] as const,
};

export const contentRuleKeys = {
  all: (orgID: string) => ['contentRules', orgID] as const,
};

type Listener<T> = (value: T) => void;

/** Typing is who is typing in which chat, from messages.typing events. */
export interface Typing {
  chat_id: string;
  user_id: string;
  name: string;
}

const typingListeners = new Set<Listener<Typing>>();

/** onTyping follows the typing events; it returns the unsubscribe. */
export function onTyping(fn: Listener<Typing>): () => void {
  typingListeners.add(fn);
  return () => typingListeners.delete(fn);
}

/** Presence statuses, from presence.changed events; someone not heard of is offline. */
const presence = new Map<string, string>();
const presenceListeners = new Set<() => void>();
let presenceVersion = 0;

export const presenceStore = {
  subscribe(fn: () => void) {
    presenceListeners.add(fn);
    return () => presenceListeners.delete(fn);
  },
  version: () => presenceVersion,
  status: (userID: string) => presence.get(userID) ?? 'offline',
  set(userID: string, status: string) {
    presence.set(userID, status);
    presenceVersion++;
    for (const fn of presenceListeners) fn();
  },
};

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function meID(client: QueryClient): string | undefined {
  return client.getQueryData<{ user?: { id?: string } } | null>(['me'])?.user?.id;
}

function patchLists(client: QueryClient, orgID: string, chatID: string, change: (c: Chat) => Chat): boolean {
  let found = false;
  client.setQueriesData<ChatPage>({ queryKey: chatKeys.lists(orgID) }, (page) => {
    if (!page?.items) return page;
    if (!page.items.some((c) => c.id === chatID)) return page;
    found = true;
    return { ...page, items: page.items.map((c) => (c.id === chatID ? change(c) : c)) };
  });
  return found;
}

const refetch = (client: QueryClient, queryKey: readonly unknown[]) =>
  void client.invalidateQueries({ queryKey }, { cancelRefetch: false });

/** excerptOf is a message's text as the chat list shows it. */
function excerptOf(m: Message): string {
  if (m.body) return m.body.length > 80 ? `${m.body.slice(0, 80)}…` : m.body;
  return m.attachments?.[0]?.name ?? '';
}

function messageCreated(client: QueryClient, orgID: string, chatID: string, m: Message) {
  const me = meID(client);
  if (m.thread_root_id) {
    client.setQueryData<ThreadPage>(chatKeys.thread(orgID, chatID, m.thread_root_id), (t) =>
      t && !t.items.some((x) => x.id === m.id) ? { ...t, items: [...t.items, m].sort((a, b) => a.seq - b.seq) } : t,
    );
  } else if (m.truncated) {
    refetch(client, chatKeys.messages(orgID, chatID));
  } else {
    const key = chatKeys.messages(orgID, chatID);
    const { data, gap } = appendMessage(client.getQueryData<InfinitePages>(key), m);
    if (gap) refetch(client, key);
    else if (data) client.setQueryData(key, data);
  }
  const listed = patchLists(client, orgID, chatID, (c) => ({
    ...c,
    last_seq: Math.max(c.last_seq, m.seq),
    // Counted once: an event repeated after a reconnect is not newer than the chat's last seq.
    unread: m.sender_id !== me && m.seq > c.last_seq && m.seq > c.last_read_seq && !m.thread_root_id ? c.unread + 1 : c.unread,
    last_read_seq: m.sender_id === me ? Math.max(c.last_read_seq, m.seq) : c.last_read_seq,
    last_message: m.thread_root_id
      ? c.last_message
      : { seq: m.seq, sender_name: m.sender_name, excerpt: excerptOf(m), recalled: false, deleted: false, attachments: m.attachments.length, created_at: m.created_at },
  }));
  // A chat not in the list yet (a new direct chat, say): the list is fetched again.
  if (!listed) refetch(client, chatKeys.lists(orgID));
}

function messageUpdated(client: QueryClient, orgID: string, u: MessageUpdate, actorID: string | null | undefined) {
  const me = meID(client);
  const update = { ...u, actor_id: actorID ?? undefined };
  const change = (m: Message) => applyUpdate(m, update, me);
  const key = chatKeys.messages(orgID, u.chat_id);
  const data = patchMessage(client.getQueryData<InfinitePages>(key), u.message_id, change);
  if (data) client.setQueryData(key, data);
  for (const [threadKey, t] of client.getQueriesData<ThreadPage>({ queryKey: chatKeys.threads(orgID, u.chat_id) })) {
    if (!t) continue;
    if (t.root.id === u.message_id || t.items.some((m) => m.id === u.message_id)) {
      client.setQueryData<ThreadPage>(threadKey, {
        ...t,
        root: t.root.id === u.message_id ? change(t.root) : t.root,
        items: t.items.map((m) => (m.id === u.message_id ? change(m) : m)),
      });
    }
  }
  if (u.kind === 'pin' || u.kind === 'recalled' || u.kind === 'deleted') refetch(client, chatKeys.pins(orgID, u.chat_id));
  // A recalled or removed last message shows as such in the chat list too.
  if (u.kind === 'recalled' || u.kind === 'deleted') {
    if (typeof u.seq === 'number') lastMessageGone(client, orgID, u.chat_id, u.seq, u.kind);
    else refetch(client, chatKeys.lists(orgID));
  }
}

/**
 * lastMessageGone marks a chat's last message in the chat list recalled or removed, if the
 * message of seq is its last one: the list shows the placeholder instead of its text.
 */
export function lastMessageGone(client: QueryClient, orgID: string, chatID: string, seq: number, kind: 'recalled' | 'deleted') {
  patchLists(client, orgID, chatID, (c) =>
    c.last_message && c.last_message.seq === seq ? { ...c, last_message: { ...c.last_message, excerpt: '', [kind]: true } } : c,
  );
}

function messagesRead(client: QueryClient, orgID: string, p: { chat_id: string; user_id: string; seq: number }) {
  if (p.user_id === meID(client)) {
    // Read on another device (or this one): the badge follows.
    const listed = patchLists(client, orgID, p.chat_id, (c) => {
      const last = Math.max(c.last_read_seq, p.seq);
      return { ...c, last_read_seq: last, unread: last >= c.last_seq ? 0 : c.unread };
    });
    if (!listed) refetch(client, chatKeys.lists(orgID));
    return;
  }
  // Someone read up to seq: the read lists of my messages up to there change.
  void client.invalidateQueries(
    {
      queryKey: chatKeys.readsOf(orgID, p.chat_id),
      predicate: (q) => typeof q.queryKey[5] === 'number' && (q.queryKey[5] as number) <= p.seq,
    },
    { cancelRefetch: false },
  );
}

/** applyMessagingEvent updates the messaging caches an event concerns; false if it is not one of them. */
export function applyMessagingEvent(client: QueryClient, e: StreamEvent): boolean {
  const p = e.payload ?? {};
  const orgID = e.org_id;
  const chatID = str(p.chat_id);
  switch (e.type) {
    case 'messages.message_created': {
      const m = p.message as Message | undefined;
      if (chatID && m && typeof m.seq === 'number') messageCreated(client, orgID, chatID, m);
      return true;
    }
    case 'messages.message_updated':
      if (chatID && str(p.message_id)) messageUpdated(client, orgID, p as unknown as MessageUpdate, e.actor_id);
      return true;
    case 'messages.read':
      if (chatID && typeof p.seq === 'number') messagesRead(client, orgID, p as { chat_id: string; user_id: string; seq: number });
      return true;
    case 'messages.typing':
      if (chatID && str(p.user_id) !== meID(client)) {
        for (const fn of typingListeners) fn({ chat_id: chatID, user_id: str(p.user_id), name: str(p.name) });
      }
      return true;
    case 'messages.chat_updated':
      refetch(client, chatKeys.lists(orgID));
      if (chatID) {
        refetch(client, chatKeys.chat(orgID, chatID));
        refetch(client, chatKeys.members(orgID, chatID));
      }
      refetch(client, chatKeys.admin(orgID));
      return true;
    case 'presence.changed':
      if (str(p.user_id)) presenceStore.set(str(p.user_id), str(p.status) || 'offline');
      return true;
  }
  if (e.type.startsWith('announcements.')) {
    refetch(client, announcementKeys.all(orgID));
    return false;
  }
  return false;
}
