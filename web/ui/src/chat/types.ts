/**
 * The messaging API's shapes (docs: /work/notes/messaging-contract.md, web/api/openapi.yaml).
 * They are written here only until the OpenAPI document describes the messaging routes; then
 * each becomes an alias of components['schemas'][...] as in tasks/api.ts.
 */

export type ChatKind = 'direct' | 'adhoc' | 'group' | 'department';
export type ChatRole = 'owner' | 'admin' | 'member';

export interface LastMessage {
  seq: number;
  sender_name: string;
  excerpt: string;
  created_at: string;
}

export interface Chat {
  id: string;
  kind: ChatKind;
  name: string;
  description?: string;
  group_id?: string | null;
  department_id?: string | null;
  /** The other person of a direct chat. */
  user_id?: string | null;
  unread: number;
  last_read_seq: number;
  last_seq: number;
  muted: boolean;
  pinned: boolean;
  member_count: number;
  my_role?: ChatRole | '' | null;
  last_message?: LastMessage | null;
  archived: boolean;
  legal_hold?: boolean;
  created_at?: string;
  updated_at?: string;
}

export interface ChatPage {
  items: Chat[];
  total: number;
}

export interface ChatMember {
  user_id: string;
  name: string;
  role: ChatRole;
  department?: string;
}

export interface Attachment {
  id: string;
  name: string;
  size: number;
  content_type: string;
  thumbnail_url?: string | null;
}

export interface Reaction {
  emoji: string;
  count: number;
  mine: boolean;
}

export interface Quote {
  id: string;
  seq: number;
  sender_name: string;
  excerpt: string;
}

export interface Message {
  id: string;
  chat_id: string;
  seq: number;
  sender_id: string;
  sender_name: string;
  client_id?: string;
  body: string;
  body_html: string;
  thread_root_id?: string | null;
  reply_count: number;
  last_reply_at?: string | null;
  quote?: Quote | null;
  mentions: string[];
  mention_all: boolean;
  attachments: Attachment[];
  reactions: Reaction[];
  pinned: boolean;
  edited: boolean;
  recalled: boolean;
  deleted: boolean;
  created_at: string;
  edited_at?: string | null;
  /** On the sender's own messages, when the server counts them: how many members have read it. */
  read_count?: number;
  unread_count?: number;
  /** Set on an event whose message was cut to fit: the full one is fetched. */
  truncated?: boolean;
}

export interface MessagePage {
  items: Message[];
  has_more: boolean;
}

export interface ThreadPage {
  root: Message;
  items: Message[];
  has_more: boolean;
}

export interface Reader {
  user_id: string;
  name: string;
}

export interface ReadList {
  read: Reader[];
  unread: Reader[];
  read_count: number;
  unread_count: number;
  hidden_count: number;
}

export interface SearchHit {
  message: Message;
  chat_id: string;
  chat_name: string;
  snippet: string;
  highlights: [number, number][];
}

export interface MessagingSettings {
  retention_days: number | null;
  allow_receipt_opt_out: boolean;
  mention_all_max: number;
}
