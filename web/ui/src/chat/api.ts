import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { call, orgBase, seg } from './http';
import { chatKeys } from './live';
import type { Chat, ChatMemberPage, ChatPage, ChatPatch, CreateChatRequest, Message, MessagePage, MessagingSettings, MyMessaging, ReadList, SearchPage, SendRequest, ThreadPage } from './types';

/** PAGE is how many messages one page of history holds. */
export const PAGE = 50;

const chatPath = (orgID: string, chatID: string) => `${orgBase(orgID)}/chats/${seg(chatID)}`;
const msgPath = (orgID: string, chatID: string, messageID: string) => `${chatPath(orgID, chatID)}/messages/${seg(messageID)}`;

export type { SendRequest } from './types';

/** NewChat is a CreateChatRequest with the fields each kind needs. */
export type NewChat = { kind: 'adhoc'; name: string; member_ids: string[] } | { kind: 'direct'; user_id: string } | { kind: 'group'; group_id: string } | { kind: 'department'; department_id: string };

/** chatApi is every messaging call the UI makes. */
export const chatApi = {
  chats: (orgID: string, query: { query?: string; limit?: number; offset?: number }) => call<ChatPage>('GET', `${orgBase(orgID)}/chats`, { query }),
  chat: (orgID: string, chatID: string) => call<Chat>('GET', chatPath(orgID, chatID)),
  create: (orgID: string, body: NewChat) => call<Chat>('POST', `${orgBase(orgID)}/chats`, { body: body satisfies CreateChatRequest }),
  update: (orgID: string, chatID: string, body: ChatPatch) => call<Chat>('PATCH', chatPath(orgID, chatID), { body }),
  members: (orgID: string, chatID: string, query: { query?: string; limit?: number; offset?: number }) =>
    call<ChatMemberPage>('GET', `${chatPath(orgID, chatID)}/members`, { query }),
  addMembers: (orgID: string, chatID: string, userIDs: string[]) => call<{ added: number }>('POST', `${chatPath(orgID, chatID)}/members`, { body: { user_ids: userIDs } }),
  removeMember: (orgID: string, chatID: string, userID: string) => call<unknown>('DELETE', `${chatPath(orgID, chatID)}/members/${seg(userID)}`),
  leave: (orgID: string, chatID: string) => call<unknown>('POST', `${chatPath(orgID, chatID)}/leave`),
  settings: (orgID: string, chatID: string, body: { muted?: boolean; pinned?: boolean }) => call<unknown>('PUT', `${chatPath(orgID, chatID)}/settings`, { body }),
  read: (orgID: string, chatID: string, seq: number) => call<unknown>('POST', `${chatPath(orgID, chatID)}/read`, { body: { seq } }),
  typing: (orgID: string, chatID: string) => call<unknown>('POST', `${chatPath(orgID, chatID)}/typing`),
  messages: (orgID: string, chatID: string, query: { before_seq?: number; after_seq?: number; limit?: number }) =>
    call<MessagePage>('GET', `${chatPath(orgID, chatID)}/messages`, { query }),
  send: (orgID: string, chatID: string, body: SendRequest) => call<Message>('POST', `${chatPath(orgID, chatID)}/messages`, { body }),
  thread: (orgID: string, chatID: string, messageID: string, query: { after_seq?: number; limit?: number } = {}) =>
    call<ThreadPage>('GET', `${msgPath(orgID, chatID, messageID)}/thread`, { query }),
  edit: (orgID: string, chatID: string, messageID: string, body: string) => call<Message>('PATCH', msgPath(orgID, chatID, messageID), { body: { body } }),
  recall: (orgID: string, chatID: string, messageID: string) => call<Message>('POST', `${msgPath(orgID, chatID, messageID)}/recall`),
  remove: (orgID: string, chatID: string, messageID: string) => call<unknown>('DELETE', msgPath(orgID, chatID, messageID)),
  react: (orgID: string, chatID: string, messageID: string, emoji: string, on: boolean) =>
    call<unknown>(on ? 'PUT' : 'DELETE', `${msgPath(orgID, chatID, messageID)}/reactions/${seg(emoji)}`),
  pin: (orgID: string, chatID: string, messageID: string, on: boolean) => call<unknown>(on ? 'PUT' : 'DELETE', `${msgPath(orgID, chatID, messageID)}/pin`),
  pins: (orgID: string, chatID: string) => call<{ items: Message[] }>('GET', `${chatPath(orgID, chatID)}/pins`),
  reads: (orgID: string, chatID: string, messageID: string) => call<ReadList>('GET', `${msgPath(orgID, chatID, messageID)}/reads`),
  search: (orgID: string, query: { q: string; chat_id?: string; limit?: number; offset?: number }) =>
    call<SearchPage>('GET', `${orgBase(orgID)}/messages/search`, { query }),
  myMessaging: (orgID: string) => call<MyMessaging>('GET', `${orgBase(orgID)}/me/messaging`),
  putMyMessaging: (orgID: string, sendReadReceipts: boolean) => call<MyMessaging>('PUT', `${orgBase(orgID)}/me/messaging`, { body: { send_read_receipts: sendReadReceipts } }),
  presence: (orgID: string, status: 'online' | 'away') => call<unknown>('POST', `${orgBase(orgID)}/me/presence`, { body: { status } }),
  // The console's.
  adminChats: (orgID: string, query: { kind?: string; query?: string; limit?: number; offset?: number }) =>
    call<ChatPage>('GET', `${orgBase(orgID)}/admin/chats`, { query }),
  legalHold: (orgID: string, chatID: string, on: boolean) => call<unknown>(on ? 'PUT' : 'DELETE', `${chatPath(orgID, chatID)}/legal-hold`),
  exportUrl: (orgID: string, chatID: string) => `${chatPath(orgID, chatID)}/export`,
  getSettings: (orgID: string) => call<MessagingSettings>('GET', `${orgBase(orgID)}/messaging/settings`),
  putSettings: (orgID: string, body: MessagingSettings) => call<MessagingSettings>('PUT', `${orgBase(orgID)}/messaging/settings`, { body }),
};

/** useChats is my chats, pinned first then by last activity, filtered by a search. */
export function useChats(orgID: string, query: string) {
  return useQuery({
    queryKey: [...chatKeys.lists(orgID), query],
    queryFn: () => chatApi.chats(orgID, { query: query || undefined, limit: 200 }),
    placeholderData: keepPreviousData,
  });
}

export function useChat(orgID: string, chatID: string | undefined) {
  return useQuery({
    queryKey: chatKeys.chat(orgID, chatID ?? ''),
    queryFn: () => chatApi.chat(orgID, chatID!),
    enabled: !!chatID,
  });
}

/**
 * useMessages is a chat's history: the newest page first, older pages as the user scrolls up
 * (before_seq). Live events add to it (chat/live.ts), so it is not refetched on focus.
 */
export function useMessages(orgID: string, chatID: string) {
  return useInfiniteQuery({
    queryKey: chatKeys.messages(orgID, chatID),
    queryFn: ({ pageParam }) => chatApi.messages(orgID, chatID, { before_seq: pageParam, limit: PAGE }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => (last.has_more && last.items.length > 0 ? Math.min(...last.items.map((m) => m.seq)) : undefined),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
}

export function useThread(orgID: string, chatID: string, rootID: string) {
  return useQuery({
    queryKey: chatKeys.thread(orgID, chatID, rootID),
    queryFn: () => chatApi.thread(orgID, chatID, rootID, { limit: 200 }),
    staleTime: Infinity,
  });
}

export function usePins(orgID: string, chatID: string, enabled: boolean) {
  return useQuery({ queryKey: chatKeys.pins(orgID, chatID), queryFn: () => chatApi.pins(orgID, chatID), enabled });
}

/**
 * useReadList is who has read one of my messages. A read event for the chat refreshes the
 * read lists of the messages it covers (chat/live.ts); the count the message carries, when it
 * does, stands until then.
 */
export function useReadList(orgID: string, m: Message, enabled: boolean) {
  return useQuery({
    queryKey: chatKeys.reads(orgID, m.chat_id, m.id, m.seq),
    queryFn: () => chatApi.reads(orgID, m.chat_id, m.id),
    enabled,
    staleTime: 30_000,
    retry: false,
  });
}

export function useChatMembers(orgID: string, chatID: string, query: string, enabled = true) {
  return useQuery({
    queryKey: [...chatKeys.members(orgID, chatID), query],
    queryFn: () => chatApi.members(orgID, chatID, { query: query || undefined, limit: 20 }),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useMessageSearch(orgID: string, q: string, chatID?: string) {
  return useQuery({
    queryKey: [...chatKeys.search(orgID), q, chatID ?? ''],
    queryFn: () => chatApi.search(orgID, { q, chat_id: chatID, limit: 30 }),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
  });
}

/** newClientID names a message before the server has it, so a resend stores it once. */
export function newClientID(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return c.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
