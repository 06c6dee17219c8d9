import { ArrowLeftOutlined, BellOutlined, EllipsisOutlined, MutedOutlined, PushpinOutlined, TeamOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Drawer, Empty, Input, List, Modal, Space, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useMe } from '../api/queries';
import { PageError, PageLoading } from '../components/PageState';
import { useFormat } from '../lib/hooks';
import { browserTimeZone, formatDate, validTimeZone } from '../lib/format';
import { useIsMobile } from '../lib/useMediaQuery';
import { chatApi, useMessages, usePins } from './api';
import { ChatInfoDrawer } from './ChatInfoDrawer';
import { Composer } from './Composer';
import { chatErrorText } from './errors';
import { chatKeys, lastMessageGone, onTyping, presenceStore } from './live';
import { appendMessage, maxSeq, pagesMessages, patchMessage, withDayDividers, type InfinitePages } from './messages';
import { MessageItem, type MessageActions } from './MessageItem';
import { ReadListDialog } from './ReadListDialog';
import { ThreadPanel } from './ThreadPanel';
import type { Chat, ChatPage, Message, ThreadPage } from './types';

/** GROUP_MS is how close two messages of one sender must be to share a header. */
const GROUP_MS = 5 * 60 * 1000;
/** TYPING_SHOWN is how long a typing event is shown without another. */
const TYPING_SHOWN = 5000;

/** useTypers follows who is typing in a chat, each for a few seconds after their last event. */
function useTypers(chatID: string): string[] {
  const [typers, setTypers] = useState<Record<string, { name: string; until: number }>>({});
  useEffect(() => {
    setTypers({});
    return onTyping((e) => {
      if (e.chat_id !== chatID) return;
      setTypers((old) => ({ ...old, [e.user_id]: { name: e.name, until: Date.now() + TYPING_SHOWN } }));
    });
  }, [chatID]);
  useEffect(() => {
    const names = Object.keys(typers);
    if (names.length === 0) return;
    const timer = window.setTimeout(() => {
      const now = Date.now();
      setTypers((old) => Object.fromEntries(Object.entries(old).filter(([, v]) => v.until > now)));
    }, 1000);
    return () => window.clearTimeout(timer);
  }, [typers]);
  return Object.values(typers).map((v) => v.name);
}

function usePresence(userID: string | null | undefined): string {
  useSyncExternalStore(presenceStore.subscribe, presenceStore.version);
  return userID ? presenceStore.status(userID) : 'offline';
}

/** Conversation is one chat: its history, scrolling back by sequence, live, with threads beside it. */
export function Conversation({ orgID, chat }: { orgID: string; chat: Chat }) {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const format = useFormat();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const client = useQueryClient();
  const me = useMe().data?.user.id;
  const [params, setParams] = useSearchParams();
  const threadID = params.get('thread') ?? undefined;
  const history = useMessages(orgID, chat.id);
  const messages = useMemo(() => pagesMessages(history.data as InfinitePages | undefined), [history.data]);
  const items = useMemo(() => withDayDividers(messages, (iso) => formatDate(iso, 'en', format.timeZone)), [messages, format.timeZone]);
  const timeOf = useMemo(() => {
    const f = new Intl.DateTimeFormat(i18n.language, { timeStyle: 'short', timeZone: validTimeZone(format.timeZone) ? format.timeZone : browserTimeZone() });
    return (iso: string) => f.format(new Date(iso));
  }, [i18n.language, format.timeZone]);
  const newest = maxSeq(history.data as InfinitePages | undefined);
  const typers = useTypers(chat.id);
  const presence = usePresence(chat.kind === 'direct' ? (chat.peer_id ?? undefined) : undefined);
  const [quote, setQuote] = useState<Message>();
  const [reading, setReading] = useState<Message>();
  const [editing, setEditing] = useState<{ m: Message; text: string }>();
  const [pinsOpen, setPinsOpen] = useState(false);
  const [infoOpen, setInfoOpen] = useState(false);
  const pins = usePins(orgID, chat.id, pinsOpen);
  const moderator = chat.my_role === 'owner' || chat.my_role === 'admin';

  const scroller = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const heightBefore = useRef<number | null>(null);
  const readSent = useRef(chat.last_read_seq);

  const key = chatKeys.messages(orgID, chat.id);
  const put = useCallback(
    (m: Message) => {
      if (m.thread_root_id) return;
      const { data, gap } = appendMessage(client.getQueryData<InfinitePages>(key), m);
      if (gap) void client.invalidateQueries({ queryKey: key });
      else if (data) client.setQueryData(key, data);
    },
    [client, orgID, chat.id],
  );
  const replace = useCallback(
    (m: Message) => {
      client.setQueryData<InfinitePages>(key, (d) => patchMessage(d, m.id, () => m));
      if (m.thread_root_id) {
        client.setQueryData<ThreadPage>(chatKeys.thread(orgID, chat.id, m.thread_root_id), (th) => (th ? { ...th, items: th.items.map((x) => (x.id === m.id ? m : x)) } : th));
      }
      for (const [k, th] of client.getQueriesData<ThreadPage>({ queryKey: chatKeys.threads(orgID, chat.id) })) {
        if (th?.root.id === m.id) client.setQueryData<ThreadPage>(k, { ...th, root: m });
      }
    },
    [client, orgID, chat.id],
  );

  // Older pages keep what was on screen in place; new messages follow when at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (heightBefore.current !== null) {
      el.scrollTop += el.scrollHeight - heightBefore.current;
      heightBefore.current = null;
    }
  }, [history.data?.pages.length]);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atBottom) el.scrollTop = el.scrollHeight;
  }, [newest, messages.length]);

  const loadOlder = () => {
    if (!history.hasNextPage || history.isFetchingNextPage) return;
    heightBefore.current = scroller.current?.scrollHeight ?? null;
    void history.fetchNextPage();
  };
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (bottom !== atBottom) setAtBottom(bottom);
    if (el.scrollTop < 120) loadOlder();
  };

  // What is on screen at the bottom is read: the highest sequence shown goes to the server once.
  useEffect(() => {
    readSent.current = Math.max(readSent.current, chat.last_read_seq);
  }, [chat.last_read_seq]);
  useEffect(() => {
    if (!atBottom || newest <= readSent.current || document.visibilityState === 'hidden') return;
    const seq = newest;
    readSent.current = seq;
    chatApi
      .read(orgID, chat.id, seq)
      .then(() => {
        client.setQueriesData<ChatPage>({ queryKey: chatKeys.lists(orgID) }, (page) =>
          page?.items ? { ...page, items: page.items.map((c) => (c.id === chat.id ? { ...c, last_read_seq: Math.max(c.last_read_seq, seq), unread: seq >= c.last_seq ? 0 : c.unread } : c)) } : page,
        );
      })
      .catch(() => {
        readSent.current = Math.min(readSent.current, seq - 1);
      });
  }, [atBottom, newest, orgID, chat.id, client]);

  const openThread = useCallback(
    (m: Message) =>
      setParams((p) => {
        const next = new URLSearchParams(p);
        next.set('thread', m.id);
        return next;
      }),
    [setParams],
  );
  const closeThread = () =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.delete('thread');
      return next;
    });

  const actions: MessageActions = useMemo(
    () => ({
      onThread: openThread,
      onQuote: setQuote,
      onReact: (m, emoji, on) => {
        // Shown at once; the event brings everyone's counts.
        client.setQueryData<InfinitePages>(key, (d) =>
          patchMessage(d, m.id, (x) => {
            const has = x.reactions.find((r) => r.emoji === emoji);
            const reactions = has
              ? x.reactions.map((r) => (r.emoji === emoji ? { ...r, mine: on, count: Math.max(0, r.count + (on === r.mine ? 0 : on ? 1 : -1)) } : r)).filter((r) => r.count > 0)
              : on
                ? [...x.reactions, { emoji, count: 1, mine: true }]
                : x.reactions;
            return { ...x, reactions };
          }),
        );
        chatApi.react(orgID, chat.id, m.id, emoji, on).catch((err) => {
          message.error(chatErrorText(t, err));
          void client.invalidateQueries({ queryKey: key });
        });
      },
      onPin: (m, on) =>
        void chatApi
          .pin(orgID, chat.id, m.id, on)
          .then(() => {
            replace({ ...m, pinned: on });
            void client.invalidateQueries({ queryKey: chatKeys.pins(orgID, chat.id) });
            message.success(on ? t('chat.pinnedDone') : t('chat.unpinnedDone'));
          })
          .catch((err) => message.error(chatErrorText(t, err))),
      onEdit: (m) => setEditing({ m, text: m.body }),
      onRecall: (m) =>
        void chatApi
          .recall(orgID, chat.id, m.id)
          .then((r) => {
            replace(r && typeof r === 'object' && 'id' in r ? r : { ...m, recalled: true, body: '', body_html: '', attachments: [] });
            lastMessageGone(client, orgID, chat.id, m.seq, 'recalled');
          })
          .catch((err) => message.error(chatErrorText(t, err))),
      onDelete: (m) =>
        modal.confirm({
          title: t('chat.deleteTitle'),
          content: t('chat.deleteText'),
          okText: t('chat.delete'),
          okButtonProps: { danger: true },
          cancelText: t('common.cancel'),
          onOk: () =>
            chatApi
              .remove(orgID, chat.id, m.id)
              .then(() => {
                replace({ ...m, deleted: true, body: '', body_html: '', attachments: [] });
                lastMessageGone(client, orgID, chat.id, m.seq, 'deleted');
              })
              .catch((err) => message.error(chatErrorText(t, err))),
        }),
      onReads: setReading,
    }),
    [orgID, chat.id, openThread, replace, t],
  );

  const saveEdit = async () => {
    if (!editing) return;
    try {
      replace(await chatApi.edit(orgID, chat.id, editing.m.id, editing.text.trim()));
      setEditing(undefined);
    } catch (err) {
      message.error(chatErrorText(t, err));
    }
  };

  const toggle = async (setting: 'muted' | 'pinned', on: boolean) => {
    try {
      await chatApi.settings(orgID, chat.id, { [setting]: on });
      client.setQueriesData<ChatPage>({ queryKey: chatKeys.lists(orgID) }, (page) =>
        page?.items ? { ...page, items: page.items.map((c) => (c.id === chat.id ? { ...c, [setting]: on } : c)) } : page,
      );
      void client.invalidateQueries({ queryKey: chatKeys.lists(orgID) });
      void client.invalidateQueries({ queryKey: chatKeys.chat(orgID, chat.id) });
    } catch (err) {
      message.error(chatErrorText(t, err));
    }
  };

  const sub =
    chat.kind === 'direct'
      ? presence === 'online'
        ? t('chat.presence.online')
        : presence === 'away'
          ? t('chat.presence.away')
          : t('chat.presence.offline')
      : t('chat.memberCount', { count: chat.member_count });

  let prev: Message | undefined;
  return (
    <div className={`chat-conversation${threadID && !mobile ? ' with-thread' : ''}`} data-testid="conversation" data-chat-id={chat.id}>
      <div className="chat-main">
        <header className="chat-header">
          {mobile && <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t('chat.back')} onClick={() => navigate('/messages')} data-testid="chat-back" />}
          <div className="chat-header-text">
            <h1 className="chat-title" data-testid="chat-title">
              {chat.name}
            </h1>
            <span className="chat-subtitle">
              {chat.kind === 'direct' && <Badge status={presence === 'online' ? 'success' : presence === 'away' ? 'warning' : 'default'} />}
              {chat.kind !== 'direct' && <TeamOutlined aria-hidden />} {sub}
            </span>
          </div>
          <Space size={0}>
            <Tooltip title={t('chat.pins')}>
              <Button type="text" icon={<PushpinOutlined />} aria-label={t('chat.pins')} data-testid="pins-button" onClick={() => setPinsOpen(true)} />
            </Tooltip>
            <Tooltip title={chat.muted ? t('chat.unmute') : t('chat.mute')}>
              <Button
                type="text"
                icon={chat.muted ? <MutedOutlined /> : <BellOutlined />}
                aria-label={chat.muted ? t('chat.unmute') : t('chat.mute')}
                aria-pressed={chat.muted}
                data-testid="mute-button"
                onClick={() => void toggle('muted', !chat.muted)}
              />
            </Tooltip>
            <Button type="text" size="small" data-testid="pin-chat-button" aria-pressed={chat.pinned} onClick={() => void toggle('pinned', !chat.pinned)}>
              {chat.pinned ? t('chat.unpinChat') : t('chat.pinChat')}
            </Button>
            <Tooltip title={t('chat.info.title')}>
              <Button type="text" icon={<EllipsisOutlined />} aria-label={t('chat.info.title')} data-testid="chat-info-button" onClick={() => setInfoOpen(true)} />
            </Tooltip>
          </Space>
        </header>
        <div className="chat-messages" ref={scroller} onScroll={onScroll} data-testid="message-list" role="log" aria-label={t('chat.history', { name: chat.name })}>
          {history.isPending ? (
            <PageLoading />
          ) : history.isError ? (
            <PageError error={history.error} onRetry={() => void history.refetch()} />
          ) : (
            <>
              {history.hasNextPage && (
                <div className="chat-load-earlier">
                  <Button size="small" onClick={loadOlder} loading={history.isFetchingNextPage} data-testid="load-earlier">
                    {t('chat.loadEarlier')}
                  </Button>
                </div>
              )}
              {!history.hasNextPage && messages.length > 0 && <div className="chat-start">{t('chat.start')}</div>}
              {messages.length === 0 && <Empty className="chat-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chat.noMessages')} />}
              {items.map((item) => {
                if (item.kind === 'day') {
                  prev = undefined;
                  return (
                    <div key={item.key} className="chat-day" role="separator" data-testid="day-divider">
                      <span>{format.date(item.first.created_at)}</span>
                    </div>
                  );
                }
                const m = item.message;
                const showSender = !prev || prev.sender_id !== m.sender_id || Date.parse(m.created_at) - Date.parse(prev.created_at) > GROUP_MS || prev.recalled;
                prev = m;
                return (
                  <MessageItem
                    key={m.id}
                    orgID={orgID}
                    message={m}
                    me={me}
                    showSender={showSender}
                    moderator={moderator}
                    actions={actions}
                    time={timeOf(m.created_at)}
                  />
                );
              })}
            </>
          )}
        </div>
        <div className="chat-typing" aria-live="polite" data-testid="typing-indicator">
          {typers.length > 0 && t('chat.typing', { names: typers.join(t('chat.listSeparator')), count: typers.length })}
        </div>
        {chat.archived ? (
          <div className="chat-archived">{t('chat.archivedNote')}</div>
        ) : (
          <Composer orgID={orgID} chat={chat} quote={quote} onCancelQuote={() => setQuote(undefined)} onSent={put} testid="composer" sendTestid="send-button" />
        )}
      </div>
      {threadID && <ThreadPanel key={threadID} orgID={orgID} chat={chat} rootID={threadID} me={me} moderator={moderator} actions={actions} onClose={closeThread} />}
      {infoOpen && <ChatInfoDrawer orgID={orgID} chat={chat} onClose={() => setInfoOpen(false)} onToggle={toggle} />}
      {reading && <ReadListDialog orgID={orgID} message={reading} onClose={() => setReading(undefined)} />}
      {editing && (
        <Modal open title={t('chat.editTitle')} okText={t('common.save')} cancelText={t('common.cancel')} onOk={() => void saveEdit()} onCancel={() => setEditing(undefined)} destroyOnHidden>
          <Input.TextArea
            aria-label={t('chat.editTitle')}
            data-testid="edit-input"
            autoSize={{ minRows: 2, maxRows: 10 }}
            value={editing.text}
            onChange={(e) => setEditing({ ...editing, text: e.target.value })}
          />
        </Modal>
      )}
      <Drawer open={pinsOpen} onClose={() => setPinsOpen(false)} title={t('chat.pins')} width={mobile ? '100%' : 420}>
        <List
          loading={pins.isPending && pinsOpen}
          dataSource={pins.data?.items ?? []}
          locale={{ emptyText: t('chat.noPins') }}
          data-testid="pins-list"
          renderItem={(m) => (
            <List.Item key={m.id}>
              <List.Item.Meta
                title={
                  <Space>
                    <strong>{m.sender_name}</strong>
                    <Typography.Text type="secondary">{format.dateTime(m.created_at)}</Typography.Text>
                  </Space>
                }
                description={m.recalled || m.deleted ? t('chat.recalledPlaceholder') : <div className="markdown" dangerouslySetInnerHTML={{ __html: m.body_html }} />}
              />
            </List.Item>
          )}
        />
      </Drawer>
    </div>
  );
}
