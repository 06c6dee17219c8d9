import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';
import { errorText } from '../lib/errors';

/** blockedPhrase is the phrase a content_blocked refusal names between quotation marks. */
export function blockedPhrase(message: string): string | undefined {
  return message.match(/[“"]([^”"]+)[”"]/)?.[1];
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
      case 'chat_full':
        return t('chat.errors.chatFull', { detail: err.message, interpolation: { escapeValue: false } });
      case 'receipts_opt_out_not_allowed':
        return t('chat.errors.receiptsOptOut');
    }
  }
  return errorText(t, err);
}
