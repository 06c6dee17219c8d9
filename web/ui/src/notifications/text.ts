import { useTranslation } from 'react-i18next';
import type { Notification } from './api';

/** notificationText is a notification in the user's language: "Li Lei shared 报告.pdf with you". */
export function useNotificationText() {
  const { t } = useTranslation();
  return (n: Notification) => {
    const p = n.payload as Record<string, unknown>;
    const actor = typeof p.shared_by_name === 'string' && p.shared_by_name ? p.shared_by_name : t('notifications.someone');
    const name = typeof p.name === 'string' ? p.name : '';
    if (n.type === 'files.file_shared') return t('notifications.kinds.fileShared', { actor, name, interpolation: { escapeValue: false } });
    if (n.type === 'webhooks.subscription_paused') {
      return t('notifications.kinds.webhookPaused', { url: typeof p.url === 'string' ? p.url : '', interpolation: { escapeValue: false } });
    }
    return n.type;
  };
}

