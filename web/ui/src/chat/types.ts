import type { components } from '../api/schema';

/**
 * The messaging API's shapes, from the OpenAPI document (web/api/openapi.yaml, generated into
 * src/api/schema.d.ts), with the few UI-side additions marked below.
 */
type Schemas = components['schemas'];

/**
 * Omitted are the fields the server leaves out when they are empty (Go's omitempty): a member's
 * department, an attachment's url and thumbnail_url.
 */
type Omitted = 'department' | 'url' | 'thumbnail_url';

/**
 * Sent is a messaging schema as the server sends it. The document lists no required fields for
 * these schemas, so every field is optional in schema.d.ts, but the server writes each of them
 * every time (but those Omitted). Once the document says so, Sent<T> is T and can go.
 */
type Sent<T> = T extends (infer U)[]
  ? Sent<U>[]
  : T extends object
    ? { [K in keyof T as K extends Omitted ? never : K]-?: Sent<Exclude<T[K], undefined>> } & { [K in keyof T as K extends Omitted ? K : never]?: T[K] }
    : T;

export type Chat = Omit<Sent<Schemas['Chat']>, 'last_message'> & { last_message: LastMessage | null };
export type ChatKind = Chat['kind'];
export type ChatPage = Omit<Sent<Schemas['ChatPage']>, 'items'> & { items: Chat[] };

/** LastMessage is a chat's last message as the chat list shows it. */
export type LastMessage = NonNullable<Sent<Schemas['Chat']['last_message']>>;

export type ChatMember = Sent<Schemas['ChatMember']>;
export type ChatRole = ChatMember['role'];
export type ChatMemberPage = Sent<Schemas['ChatMemberPage']>;
export type ChatPatch = Schemas['ChatPatch'];
export type CreateChatRequest = Schemas['CreateChatRequest'];

type SentMessage = Sent<Schemas['Message']>;
export type Message = SentMessage & {
  /**
   * Not in the document and not sent: how many members have read one of my messages. Without
   * them the read count comes from the message's read list (GET …/reads).
   */
  read_count?: number;
  unread_count?: number;
  /** Set on a messages.message_created event whose message was cut to fit: the full one is fetched. */
  truncated?: boolean;
};
export type Attachment = SentMessage['attachments'][number];
export type Reaction = SentMessage['reactions'][number];
export type Quote = NonNullable<SentMessage['quote']>;
export type SendRequest = Schemas['SendMessageRequest'];

export type MessagePage = Omit<Sent<Schemas['MessagePage']>, 'items'> & { items: Message[] };
export type ThreadPage = Omit<Sent<Schemas['ThreadPage']>, 'root' | 'items'> & { root: Message; items: Message[] };

export type ReadList = Sent<Schemas['ReadList']>;
export type Reader = ReadList['read'][number];

type SentSearchPage = Sent<Schemas['MessageSearchPage']>;
export type SearchHit = Omit<SentSearchPage['items'][number], 'message'> & { message: Message };
export type SearchPage = Omit<SentSearchPage, 'items'> & { items: SearchHit[] };

export type MessagingSettings = Sent<Schemas['MessagingSettings']>;
export type MyMessaging = Sent<Schemas['MyMessaging']>;
