import { CommentOutlined, MoreOutlined, PaperClipOutlined, PushpinFilled, SmileOutlined } from '@ant-design/icons';
import { Button, Dropdown, Popover, Space, Tooltip, type MenuProps } from 'antd';
import { memo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contentUrl, thumbnailUrl } from '../files/api';
import { formatBytes } from '../files/format';
import { PersonAvatar } from '../directory/people';
import { useReadList } from './api';
import { mayRecall } from './messages';
import type { Attachment, Message } from './types';

/** EMOJI are the reactions offered in one click. */
export const EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '🙏'];

export interface MessageActions {
  onThread?: (m: Message) => void;
  onQuote?: (m: Message) => void;
  onReact: (m: Message, emoji: string, on: boolean) => void;
  onPin: (m: Message, on: boolean) => void;
  onEdit: (m: Message) => void;
  onRecall: (m: Message) => void;
  onDelete?: (m: Message) => void;
  onReads: (m: Message) => void;
}

interface Props {
  orgID: string;
  message: Message;
  me: string | undefined;
  /** The sender shows beside the message unless the one before was theirs too, shortly before. */
  showSender: boolean;
  /** The chat is mine to moderate (owner or admin): deletion and others' read lists. */
  moderator: boolean;
  actions: MessageActions;
  time: string;
  pending?: boolean;
  failed?: boolean;
  /** In the thread panel: no thread button, no further nesting. */
  inThread?: boolean;
}

function isImage(a: Attachment): boolean {
  return a.content_type.startsWith('image/');
}

/**
 * The routes of an attachment's bytes: the chat's (url, thumbnail_url), which let every member
 * of the chat read what was sent to it; the files module's only for a message the server has
 * not described yet.
 */
function attachmentHref(orgID: string, a: Attachment, download = false): string {
  if (a.url) return download ? `${a.url}?download=1` : a.url;
  return contentUrl(orgID, a.id, { download });
}

function Attachments({ orgID, items }: { orgID: string; items: Attachment[] }) {
  const { i18n } = useTranslation();
  return (
    <div className="chat-attachments">
      {items.map((a) =>
        isImage(a) ? (
          <a key={a.id} href={attachmentHref(orgID, a)} target="_blank" rel="noreferrer" className="chat-image" data-testid="attachment-image">
            <img src={a.thumbnail_url || (a.url ? `${a.url}/thumbnail` : thumbnailUrl(orgID, a.id))} alt={a.name} loading="lazy" />
          </a>
        ) : (
          <a key={a.id} href={attachmentHref(orgID, a, true)} className="chat-file" data-testid="attachment-file">
            <PaperClipOutlined aria-hidden /> <span className="chat-file-name">{a.name}</span>{' '}
            <span className="chat-file-size">{formatBytes(a.size, i18n.language)}</span>
          </a>
        ),
      )}
    </div>
  );
}

/** ReadCount is "read by N" under my message, opening who has and who has not. */
function ReadCount({ orgID, message, onOpen }: { orgID: string; message: Message; onOpen: () => void }) {
  const { t } = useTranslation();
  // The count comes with the message when the server sends it; else from the read list.
  const reads = useReadList(orgID, message, message.read_count === undefined);
  const count = reads.data?.read_count ?? message.read_count;
  if (count === undefined) return null;
  const unread = reads.data?.unread_count ?? message.unread_count;
  const text = unread === 0 && count > 0 ? t('chat.readAll') : t('chat.readBy', { count });
  return (
    <Button type="link" size="small" className="chat-read-count" data-testid="read-count" data-count={count} onClick={onOpen}>
      {text}
    </Button>
  );
}

/** MessageItem is one message: sender, time, body, what is attached, quoted, reacted, and its menu. */
export const MessageItem = memo(function MessageItem({ orgID, message: m, me, showSender, moderator, actions, time, pending, failed, inThread }: Props) {
  const { t } = useTranslation();
  const [emojiOpen, setEmojiOpen] = useState(false);
  const mine = m.sender_id === me;
  const gone = m.recalled || m.deleted;
  const menu: MenuProps['items'] = [];
  if (!gone && !pending) {
    if (actions.onQuote) menu.push({ key: 'quote', label: <span data-testid="quote-item">{t('chat.quote')}</span>, onClick: () => actions.onQuote?.(m) });
    if (!inThread && actions.onThread) menu.push({ key: 'thread', label: <span data-testid="thread-item">{t('chat.replyInThread')}</span>, onClick: () => actions.onThread?.(m) });
    menu.push({
      key: 'pin',
      label: <span data-testid="pin-item">{m.pinned ? t('chat.unpin') : t('chat.pin')}</span>,
      onClick: () => actions.onPin(m, !m.pinned),
    });
    if (mine) menu.push({ key: 'edit', label: <span data-testid="edit-item">{t('chat.edit')}</span>, onClick: () => actions.onEdit(m) });
    if (mayRecall(m, me)) menu.push({ key: 'recall', label: <span data-testid="recall-item">{t('chat.recall')}</span>, onClick: () => actions.onRecall(m) });
    if (moderator && actions.onDelete && !mine) {
      menu.push({ key: 'delete', danger: true, label: <span data-testid="delete-item">{t('chat.delete')}</span>, onClick: () => actions.onDelete?.(m) });
    }
  }
  return (
    <div
      className={`chat-message${mine ? ' chat-message-mine' : ''}${showSender ? '' : ' chat-message-cont'}${pending ? ' chat-message-pending' : ''}`}
      data-testid="message"
      data-seq={pending ? undefined : m.seq}
      data-message-id={pending ? undefined : m.id}
      data-mine={mine ? 'true' : undefined}
    >
      <div className="chat-message-avatar">{showSender && <PersonAvatar name={m.sender_name} size="small" />}</div>
      <div className="chat-message-main">
        {showSender && (
          <div className="chat-message-head">
            <strong className="chat-sender" data-testid="message-sender">
              {m.sender_name}
            </strong>
            <span className="chat-time">{time}</span>
            {m.pinned && (
              <Tooltip title={t('chat.pinned')}>
                <PushpinFilled className="chat-pin-mark" aria-label={t('chat.pinned')} />
              </Tooltip>
            )}
          </div>
        )}
        {m.quote && !gone && (
          <blockquote className="chat-quote" data-testid="message-quote">
            <strong>{m.quote.sender_name}</strong> {m.quote.excerpt}
          </blockquote>
        )}
        {gone ? (
          <div className="chat-recalled" data-testid="message-recalled">
            {m.deleted && !m.recalled ? t('chat.deletedPlaceholder') : t('chat.recalledPlaceholder')}
          </div>
        ) : (
          // The server renders the Markdown and sanitises it (bluemonday); nothing else is inserted as HTML.
          <div className="markdown chat-body" data-testid="message-body" dangerouslySetInnerHTML={{ __html: m.body_html }} />
        )}
        {!gone && m.attachments.length > 0 && <Attachments orgID={orgID} items={m.attachments} />}
        <div className="chat-message-foot">
          {m.edited && !gone && <span className="chat-edited">{t('chat.edited')}</span>}
          {!showSender && m.pinned && <PushpinFilled className="chat-pin-mark" aria-label={t('chat.pinned')} />}
          {pending && <span className="chat-sending">{failed ? t('chat.failed') : t('chat.sending')}</span>}
          {!gone &&
            m.reactions.map((r) => (
              <Button
                key={r.emoji}
                size="small"
                shape="round"
                className={`chat-reaction${r.mine ? ' chat-reaction-mine' : ''}`}
                aria-pressed={r.mine}
                aria-label={t('chat.reactionLabel', { emoji: r.emoji, count: r.count })}
                data-testid={`reaction-${r.emoji}`}
                onClick={() => actions.onReact(m, r.emoji, !r.mine)}
              >
                {r.emoji} {r.count}
              </Button>
            ))}
          {!inThread && m.reply_count > 0 && (
            <Button type="link" size="small" icon={<CommentOutlined />} data-testid="reply-count" onClick={() => actions.onThread?.(m)}>
              {t('chat.replies', { count: m.reply_count })}
            </Button>
          )}
          {mine && !gone && !pending && <ReadCount orgID={orgID} message={m} onOpen={() => actions.onReads(m)} />}
        </div>
      </div>
      {!gone && !pending && (
        <div className="chat-message-tools">
          <Space size={2}>
            <Popover
              open={emojiOpen}
              onOpenChange={setEmojiOpen}
              trigger="click"
              content={
                <Space size={2} role="group" aria-label={t('chat.react')}>
                  {EMOJI.map((e) => (
                    <Button
                      key={e}
                      type="text"
                      aria-label={e}
                      data-testid={`react-${e}`}
                      onClick={() => {
                        setEmojiOpen(false);
                        const mineAlready = m.reactions.some((r) => r.emoji === e && r.mine);
                        actions.onReact(m, e, !mineAlready);
                      }}
                    >
                      {e}
                    </Button>
                  ))}
                </Space>
              }
            >
              <Button type="text" size="small" icon={<SmileOutlined />} aria-label={t('chat.react')} data-testid="react-button" />
            </Popover>
            {!inThread && actions.onThread && (
              <Button type="text" size="small" icon={<CommentOutlined />} aria-label={t('chat.replyInThread')} data-testid="thread-button" onClick={() => actions.onThread?.(m)} />
            )}
            {menu.length > 0 && (
              <Dropdown menu={{ items: menu }} trigger={['click']}>
                <Button type="text" size="small" icon={<MoreOutlined />} aria-label={t('chat.more')} data-testid="message-menu" />
              </Dropdown>
            )}
          </Space>
        </div>
      )}
    </div>
  );
});
