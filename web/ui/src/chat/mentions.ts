import type { Chat, ChatMember } from './types';

/** ALL is the id of the "@all" choice of the mention picker. */
export const ALL = '@all';

/** MENTION_ALL_MAX is the server's default chat size under which anyone may mention @all. */
export const MENTION_ALL_MAX = 50;

/** mayMentionAll reports whether I may mention everyone: chat owners and admins, or anyone in a small chat. */
export function mayMentionAll(chat: Pick<Chat, 'my_role' | 'member_count' | 'kind'>, max = MENTION_ALL_MAX): boolean {
  if (chat.kind === 'direct') return false;
  return chat.my_role === 'owner' || chat.my_role === 'admin' || chat.member_count < max;
}

export interface MentionCandidate {
  id: string;
  name: string;
  department?: string;
}

/**
 * mentionCandidates is what the @ picker offers for what was typed after the @: the members the
 * server found (it matches names, pinyin and its initials, so "zw" finds 张伟) without me and
 * each once, and first "@all" where I may use it and the text could be its start.
 */
export function mentionCandidates(found: ChatMember[], typed: string, me: string | undefined, allowAll: boolean, allNames: string[]): MentionCandidate[] {
  const out: MentionCandidate[] = [];
  const q = typed.trim().toLowerCase();
  if (allowAll && allNames.some((n) => n.toLowerCase().startsWith(q))) out.push({ id: ALL, name: allNames[0] });
  const seen = new Set<string>();
  for (const m of found) {
    if (m.user_id === me || seen.has(m.user_id)) continue;
    seen.add(m.user_id);
    out.push({ id: m.user_id, name: m.name, department: m.department });
  }
  return out;
}

/** Picked is a member chosen in the picker. */
export interface Picked {
  id: string;
  name: string;
}

/**
 * mentionsOf are the members to mention: those picked whose @name is still in the text, each
 * once, and whether @all was picked and kept.
 */
export function mentionsOf(body: string, picked: Picked[]): { ids: string[]; all: boolean } {
  const ids: string[] = [];
  let all = false;
  for (const p of picked) {
    if (!body.includes(`@${p.name}`)) continue;
    if (p.id === ALL) all = true;
    else if (!ids.includes(p.id)) ids.push(p.id);
  }
  return { ids, all };
}

/** inMention reports whether the caret is in an @word being typed, where Enter picks a member. */
export function inMention(beforeCaret: string): boolean {
  return /(^|\s)@[^\s@]*$/.test(beforeCaret);
}
