import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';
import { errorText } from '../lib/errors';

/** blockedPhrase is the phrase a content_blocked refusal names between quotation marks. */
export function blockedPhrase(message: string): string | undefined {
  return message.match(/[“"]([^”"]+)[”"]/)?.[1];
}

/**
 * chatFullCounts reads the numbers of a chat_full refusal ("a chat has at most 1000 members:
 * this would make 1003, 3 over"), so it can be said in the user's language.
 */
export function chatFullCounts(message: string): { limit: number; count: number; over: number } | undefined {
  const m = message.match(/at most (\d+) members: this would make (\d+), (\d+) over/);
  return m ? { limit: Number(m[1]), count: Number(m[2]), over: Number(m[3]) } : undefined;
}

/** chatErrorText says why a messaging call failed, translated for the codes the module knows. */
export function chatErrorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'content_blocked': {
        const phrase = blockedPhrase(err.message);
        return phrase ? t('chat.errors.contentBlocked', { phrase, interpolation: { escapeValue: false } }) : err.message;
      }
      case 'recall_window_passed':
        return t('chat.errors.recallWindowPassed');
      case 'mention_all_forbidden':
        return t('chat.errors.mentionAllForbidden');
      case 'chat_full': {
        const n = chatFullCounts(err.message);
        return n ? t('chat.errors.chatFullCount', n) : t('chat.errors.chatFull', { detail: err.message, interpolation: { escapeValue: false } });
      }
      case 'receipts_opt_out_not_allowed':
        return t('chat.errors.receiptsOptOut');
      case 'not_adhoc':
        return t('chat.errors.notAdhoc');
      case 'chat_archived':
        return t('chat.errors.chatArchived');
      case 'chat_owner':
        return t('chat.errors.chatOwner');
      case 'not_chat_admin':
        return t('chat.errors.notChatAdmin');
    }
  }
  return errorText(t, err);
}
