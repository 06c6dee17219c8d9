import { useTranslation } from 'react-i18next';
import { useFormat } from '../lib/hooks';
import type { Notification } from './api';

/** notificationText is a notification in the user's language: "Li Lei shared 报告.pdf with you". */
export function useNotificationText() {
  const { t } = useTranslation();
  const format = useFormat();
  return (n: Notification) => {
    const p = n.payload as Record<string, unknown>;
    const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : '');
    const actor = str('shared_by_name') || str('actor_name') || t('notifications.someone');
    const name = str('name');
    const raw = { interpolation: { escapeValue: false } };
    if (n.type === 'files.file_shared') return t('notifications.kinds.fileShared', { actor, name, ...raw });
    if (n.type === 'webhooks.subscription_paused') {
      return t('notifications.kinds.webhookPaused', { url: str('url'), ...raw });
    }
    const title = str('title');
    const due = format.dateTime(str('due_at'));
    const excerpt = str('excerpt');
    switch (n.type) {
      case 'tasks.task_assigned':
        return t('notifications.kinds.taskAssigned', { actor, title, ...raw });
      case 'tasks.task_completed':
        return t('notifications.kinds.taskCompleted', { actor, title, ...raw });
      case 'tasks.task_due_soon':
        return t('notifications.kinds.taskDueSoon', { title, due, ...raw });
      case 'tasks.task_overdue':
        return t('notifications.kinds.taskOverdue', { title, due, ...raw });
      case 'tasks.comment_added':
        return t('notifications.kinds.taskCommentAdded', { actor, title, excerpt, ...raw });
      case 'tasks.mentioned':
        return t('notifications.kinds.taskMentioned', { actor, title, excerpt, ...raw });
      case 'messages.mentioned':
        return t('notifications.kinds.messageMentioned', { actor, chat: str('chat_name'), excerpt, ...raw });
      case 'announcements.published':
        return p.requires_ack === true
          ? t('notifications.kinds.announcementToAck', { actor, title, ...raw })
          : t('notifications.kinds.announcementPublished', { actor, title, ...raw });
      case 'announcements.reminder':
        return t('notifications.kinds.announcementReminder', { title, ...raw });
    }
    return n.type;
  };
}
