import type { Message, MessagePage } from './types';

/**
 * Pure helpers for a chat's messages, kept apart from the pages so the event stream (which is
 * in the first load) can patch the caches without pulling in the chat module.
 */

/**
 * mergeMessages puts messages together in sequence order, each once: by id, and by seq (a
 * message fetched again after an edit replaces the copy that was there). The later copy wins.
 */
export function mergeMessages(...lists: Message[][]): Message[] {
  const byID = new Map<string, Message>();
  for (const list of lists) {
    for (const m of list) {
      byID.set(m.id, m);
    }
  }
  const bySeq = new Map<number, Message>();
  for (const m of byID.values()) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** InfinitePages is TanStack Query's shape of an infinite query's data. */
export interface InfinitePages {
  pages: MessagePage[];
  pageParams: unknown[];
}

/**
 * pagesMessages flattens the pages of a chat's history (newest page first, each oldest-first)
 * into one list in sequence order, without thread replies, which the thread panel shows.
 */
export function pagesMessages(data: InfinitePages | undefined): Message[] {
  if (!data) return [];
  return mergeMessages(...[...data.pages].reverse().map((p) => p.items)).filter((m) => !m.thread_root_id);
}

/** maxSeq is the highest sequence in the pages, 0 for none. */
export function maxSeq(data: InfinitePages | undefined): number {
  let max = 0;
  for (const p of data?.pages ?? []) for (const m of p.items) if (m.seq > max) max = m.seq;
  return max;
}

/**
 * appendMessage adds a message that arrived live to the newest page. It reports a gap when
 * the message is more than one past the newest loaded one, so the caller refetches instead of
 * showing a history with a hole in it.
 */
export function appendMessage(data: InfinitePages | undefined, m: Message): { data: InfinitePages | undefined; gap: boolean } {
  if (!data || data.pages.length === 0) return { data, gap: false };
  const newest = maxSeq(data);
  const known = data.pages.some((p) => p.items.some((x) => x.id === m.id));
  // Thread replies take a seq of the chat too, so a jump is only a gap for messages of the chat itself.
  const gap = !known && newest > 0 && m.seq > newest + 1 && !m.thread_root_id ? true : false;
  const [first, ...rest] = data.pages;
  return { data: { ...data, pages: [{ ...first, items: mergeMessages(first.items, [m]) }, ...rest] }, gap };
}

/** patchMessage applies a change to the message with the id, wherever it is in the pages. */
export function patchMessage(data: InfinitePages | undefined, id: string, change: (m: Message) => Message): InfinitePages | undefined {
  if (!data) return data;
  let hit = false;
  const pages = data.pages.map((p) => {
    if (!p.items.some((m) => m.id === id)) return p;
    hit = true;
    return { ...p, items: p.items.map((m) => (m.id === id ? change(m) : m)) };
  });
  return hit ? { ...data, pages } : data;
}

/** MessageUpdate is the payload of a messages.message_updated event. */
export interface MessageUpdate {
  chat_id: string;
  message_id: string;
  seq?: number;
  kind?: 'edited' | 'recalled' | 'deleted' | 'reaction' | 'pin' | 'reply_count' | string;
  [field: string]: unknown;
}

const PATCHABLE: (keyof Message)[] = [
  'body',
  'body_html',
  'edited',
  'edited_at',
  'recalled',
  'deleted',
  'reactions',
  'pinned',
  'reply_count',
  'last_reply_at',
  'attachments',
];

/**
 * applyUpdate changes a message as an update event says: the fields it carries, and for a
 * recall or deletion the cleared body the server now keeps.
 */
export function applyUpdate(m: Message, u: MessageUpdate, me?: string): Message {
  const out: Message = { ...m };
  const target = out as unknown as Record<string, unknown>;
  for (const key of PATCHABLE) if (key in u) target[key] = u[key];
  if (u.kind === 'recalled') Object.assign(out, { recalled: true, body: '', body_html: '', attachments: [], quote: null });
  if (u.kind === 'deleted') Object.assign(out, { deleted: true, body: '', body_html: '', attachments: [], quote: null });
  if (u.kind === 'edited') out.edited = true;
  // A reaction event carries the counts for everyone; "mine" is the actor's, so keep our own.
  if (u.kind === 'reaction' && Array.isArray(u.reactions) && me !== undefined && u.actor_id !== me) {
    out.reactions = (u.reactions as Message['reactions']).map((r) => ({ ...r, mine: m.reactions.find((x) => x.emoji === r.emoji)?.mine ?? false }));
  }
  return out;
}

/** DayItem is an entry of the conversation: a day's divider or a message. */
export type DayItem = { kind: 'day'; key: string; day: string; first: Message } | { kind: 'message'; key: string; message: Message };

/**
 * withDayDividers puts a divider before the first message of each day, the day as the user
 * counts it (dayOf maps an instant to its calendar date in the user's time zone).
 */
export function withDayDividers(messages: Message[], dayOf: (iso: string) => string): DayItem[] {
  const out: DayItem[] = [];
  let last: string | undefined;
  for (const m of messages) {
    const day = dayOf(m.created_at);
    if (day !== last) {
      out.push({ kind: 'day', key: `day-${day}`, day, first: m });
      last = day;
    }
    out.push({ kind: 'message', key: m.id, message: m });
  }
  return out;
}

/** RECALL_WINDOW_MS is how long after sending the sender may recall (the server's default, 2 minutes). */
export const RECALL_WINDOW_MS = 2 * 60 * 1000;

/** mayRecall reports whether the sender may still recall a message. */
export function mayRecall(m: Pick<Message, 'sender_id' | 'created_at' | 'recalled' | 'deleted'>, me: string | undefined, now = Date.now()): boolean {
  if (!me || m.sender_id !== me || m.recalled || m.deleted) return false;
  const at = Date.parse(m.created_at);
  return Number.isFinite(at) && now - at < RECALL_WINDOW_MS;
}

/** unreadLabel is what an unread badge shows: the count, or 99+ past 99, nothing at 0. */
export function unreadLabel(n: number): string {
  if (!n || n <= 0) return '';
  return n > 99 ? '99+' : String(n);
}

/**
 * highlightParts cuts a search snippet into plain and highlighted parts; the ranges are
 * [start, end) offsets in characters (runes, so 中文 and emoji count one each).
 */
export function highlightParts(snippet: string, ranges: readonly (readonly number[])[]): { text: string; hit: boolean }[] {
  const chars = Array.from(snippet);
  const sorted = [...ranges].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: { text: string; hit: boolean }[] = [];
  let at = 0;
  for (const [s0, e0] of sorted) {
    const s = Math.max(at, Math.min(s0, chars.length));
    const e = Math.min(e0, chars.length);
    if (e <= s) continue;
    if (s > at) out.push({ text: chars.slice(at, s).join(''), hit: false });
    out.push({ text: chars.slice(s, e).join(''), hit: true });
    at = e;
  }
  if (at < chars.length) out.push({ text: chars.slice(at).join(''), hit: false });
  return out;
}
