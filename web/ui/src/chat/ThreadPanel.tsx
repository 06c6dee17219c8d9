import { CloseOutlined } from '@ant-design/icons';
import { Button, Drawer } from 'antd';
import { useTranslation } from 'react-i18next';
import { PageError, PageLoading } from '../components/PageState';
import { useFormat } from '../lib/hooks';
import { useIsMobile } from '../lib/useMediaQuery';
import { useThread } from './api';
import { Composer } from './Composer';
import { MessageItem, type MessageActions } from './MessageItem';
import type { Chat, Message, ThreadPage } from './types';
import { useQueryClient } from '@tanstack/react-query';
import { chatKeys } from './live';

interface Props {
  orgID: string;
  chat: Chat;
  rootID: string;
  me: string | undefined;
  moderator: boolean;
  actions: MessageActions;
  onClose: () => void;
}

/** ThreadPanel shows a message's replies beside the conversation (a drawer on a phone) and takes a new one. */
export function ThreadPanel({ orgID, chat, rootID, me, moderator, actions, onClose }: Props) {
  const { t } = useTranslation();
  const format = useFormat();
  const mobile = useIsMobile();
  const client = useQueryClient();
  const thread = useThread(orgID, chat.id, rootID);
  const added = (m: Message) =>
    client.setQueryData<ThreadPage>(chatKeys.thread(orgID, chat.id, rootID), (th) =>
      th && !th.items.some((x) => x.id === m.id) ? { ...th, items: [...th.items, m].sort((a, b) => a.seq - b.seq) } : th,
    );
  const body = (
    <div className="chat-thread" data-testid="thread-panel">
      <div className="chat-thread-head">
        <strong>{t('chat.thread')}</strong>
        {!mobile && <Button type="text" size="small" icon={<CloseOutlined />} aria-label={t('chat.closeThread')} onClick={onClose} data-testid="thread-close" />}
      </div>
      {thread.isPending ? (
        <PageLoading />
      ) : thread.isError ? (
        <PageError error={thread.error} onRetry={() => void thread.refetch()} />
      ) : (
        <>
          <div className="chat-thread-messages">
            <MessageItem orgID={orgID} message={thread.data.root} me={me} showSender moderator={moderator} actions={actions} time={format.dateTime(thread.data.root.created_at)} inThread />
            <div className="chat-thread-count" data-testid="thread-reply-count">
              {t('chat.replies', { count: Math.max(thread.data.root.reply_count, thread.data.items.length) })}
            </div>
            {thread.data.items.map((m) => (
              <MessageItem key={m.id} orgID={orgID} message={m} me={me} showSender moderator={moderator} actions={actions} time={format.dateTime(m.created_at)} inThread />
            ))}
          </div>
          {!chat.archived && (
            <Composer
              orgID={orgID}
              chat={chat}
              threadRootID={rootID}
              onSent={added}
              testid="reply-composer"
              sendTestid="reply-send"
              placeholder={t('chat.replyPlaceholder')}
            />
          )}
        </>
      )}
    </div>
  );
  if (mobile) {
    return (
      <Drawer open onClose={onClose} placement="right" width="100%" title={t('chat.thread')} className="chat-thread-drawer">
        {body}
      </Drawer>
    );
  }
  return <aside className="chat-thread-side">{body}</aside>;
}
