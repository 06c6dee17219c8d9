import { MutedOutlined, PlusOutlined, PushpinFilled } from '@ant-design/icons';
import { Badge, Button, Empty, List, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SearchInput } from '../components/SearchInput';
import { PageError } from '../components/PageState';
import { PersonAvatar } from '../directory/people';
import { useFormat } from '../lib/hooks';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { useChats, useMessageSearch } from './api';
import { highlightParts, unreadLabel } from './messages';
import { ReceiptsSetting } from './ReceiptsSetting';
import type { Chat } from './types';

/** sortChats puts pinned chats first, then the most recently active (the server's order, kept when patched live). */
export function sortChats(chats: Chat[]): Chat[] {
  const at = (c: Chat) => c.last_message?.created_at ?? c.updated_at ?? c.created_at ?? '';
  return [...chats].sort((a, b) => Number(b.pinned) - Number(a.pinned) || at(b).localeCompare(at(a)));
}

/** UnreadBadge is a chat's unread count; grey when the chat is muted. */
export function UnreadBadge({ chat }: { chat: Pick<Chat, 'unread' | 'muted'> }) {
  const { t } = useTranslation();
  const label = unreadLabel(chat.unread);
  if (!label) return null;
  return (
    <Badge
      count={label}
      color={chat.muted ? '#bfbfbf' : undefined}
      data-testid="chat-unread"
      aria-label={t('chat.unread', { count: chat.unread })}
      className="chat-unread"
    />
  );
}

function ChatRow({ chat, active }: { chat: Chat; active: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const last = chat.last_message;
  return (
    <li>
      <Link
        to={`/messages/${chat.id}`}
        className={`chat-row${active ? ' active' : ''}${chat.unread > 0 ? ' unread' : ''}`}
        data-testid="chat-item"
        data-chat-id={chat.id}
        data-unread={chat.unread}
        aria-current={active ? 'page' : undefined}
      >
        <PersonAvatar name={chat.name} />
        <span className="chat-row-text">
          <span className="chat-row-top">
            <span className="chat-row-name">{chat.name}</span>
            {chat.pinned && <PushpinFilled className="chat-row-icon" aria-label={t('chat.pinnedChat')} data-testid="chat-pinned" />}
            {chat.muted && <MutedOutlined className="chat-row-icon" aria-label={t('chat.muted')} data-testid="chat-muted" />}
            <span className="chat-row-time">{last ? format.date(last.created_at) : ''}</span>
          </span>
          <span className="chat-row-bottom">
            <span className="chat-row-last" data-testid="chat-last">
              {!last
                ? t('chat.noMessagesShort')
                : last.recalled
                  ? t('chat.recalledPlaceholder')
                  : last.deleted
                    ? t('chat.deletedPlaceholder')
                    : `${last.sender_name}: ${last.excerpt || (last.attachments > 0 ? t('chat.filesPreview', { count: last.attachments }) : '')}`}
            </span>
            <UnreadBadge chat={chat} />
          </span>
        </span>
      </Link>
    </li>
  );
}

/** ChatList is my chats with their unread counts, and, for a search, the messages that match. */
export function ChatList({ orgID, activeID, onNew }: { orgID: string; activeID?: string; onNew: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { search, setSearch, q } = useDebouncedSearch();
  const chats = useChats(orgID, q);
  const found = useMessageSearch(orgID, q);
  const list = sortChats(chats.data?.items ?? []);
  return (
    <div className="chat-list" data-testid="chat-list">
      <div className="chat-list-head">
        <h1 className="chat-list-title">{t('nav.messages')}</h1>
        <Space size={4}>
          <ReceiptsSetting orgID={orgID} />
          <Button type="primary" shape="circle" icon={<PlusOutlined />} aria-label={t('chat.new')} data-testid="new-chat" onClick={onNew} />
        </Space>
      </div>
      <div className="chat-list-search" data-testid="chat-search">
        <SearchInput label={t('chat.search')} value={search} onChange={setSearch} />
      </div>
      <div className="chat-list-scroll">
        {chats.isError ? (
          <PageError error={chats.error} onRetry={() => void chats.refetch()} />
        ) : list.length === 0 && !chats.isPending ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={q ? t('chat.noChatMatch') : t('chat.noChats')} />
        ) : (
          <ul className="chat-rows" aria-label={t('chat.chats')}>
            {list.map((c) => (
              <ChatRow key={c.id} chat={c} active={c.id === activeID} />
            ))}
          </ul>
        )}
        {q && (
          <section className="chat-search-results" aria-label={t('chat.messageResults')} data-testid="message-search-results">
            <h2>{t('chat.messageResults')}</h2>
            <List
              size="small"
              loading={found.isFetching}
              dataSource={found.data?.items ?? []}
              locale={{ emptyText: t('chat.noMessageMatch') }}
              renderItem={(hit) => (
                <List.Item key={hit.message.id} data-testid="search-hit">
                  <Link to={`/messages/${hit.chat_id}`} className="chat-hit">
                    <span className="chat-hit-head">
                      <strong>{hit.chat_name}</strong> · {hit.message.sender_name} · <Typography.Text type="secondary">{format.dateTime(hit.message.created_at)}</Typography.Text>
                    </span>
                    <span className="chat-hit-snippet">
                      {highlightParts(hit.snippet, hit.highlights).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
                    </span>
                  </Link>
                </List.Item>
              )}
            />
          </section>
        )}
      </div>
    </div>
  );
}
