import { EditOutlined, UserAddOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Drawer, Form, Input, List, Modal, Space, Switch, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useMe } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { SearchInput } from '../components/SearchInput';
import { PersonAvatar } from '../directory/people';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { useIsMobile } from '../lib/useMediaQuery';
import { PeopleSelect } from '../tasks/PeopleSelect';
import type { PersonRef } from '../tasks/api';
import { chatApi } from './api';
import { chatErrorText } from './errors';
import { chatKeys } from './live';
import type { Chat, ChatMember, ChatPage } from './types';

/** MEMBERS_PAGE is how many members one page of the panel lists. */
const MEMBERS_PAGE = 20;

/**
 * What I may do with a chat, as the API allows it: its owner and admins change its name and
 * description (not a direct chat's); in an ad-hoc chat any member adds people (not a guest, who
 * cannot search the directory), its owner and admins remove members (not the owner), and anyone
 * leaves. Group and department chats follow their group or department.
 */
function chatAbilities(chat: Pick<Chat, 'kind' | 'my_role' | 'archived'>, guest: boolean) {
  const chatAdmin = chat.my_role === 'owner' || chat.my_role === 'admin';
  const adhoc = chat.kind === 'adhoc';
  return {
    edit: chatAdmin && chat.kind !== 'direct',
    add: adhoc && !guest && !chat.archived,
    remove: (m: Pick<ChatMember, 'user_id' | 'role'>, me: string | undefined) => adhoc && chatAdmin && m.user_id !== me && m.role !== 'owner',
    leave: adhoc,
  };
}

interface Props {
  orgID: string;
  chat: Chat;
  onClose: () => void;
  onToggle: (setting: 'muted' | 'pinned', on: boolean) => Promise<void>;
}

/**
 * ChatInfoDrawer is a chat's settings beside the conversation, as Feishu's 群设置: its name and
 * description, mute and pin, its members, adding and removing them, and leaving.
 */
export function ChatInfoDrawer({ orgID, chat, onClose, onToggle }: Props) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const client = useQueryClient();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const me = useMe().data?.user.id;
  const { org } = useCurrentOrg();
  const may = chatAbilities(chat, org?.role === 'guest');
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const { search, setSearch, q } = useDebouncedSearch();
  // The page of one search: a new search starts at its first page.
  const [paging, setPaging] = useState({ q: '', page: 1 });
  const page = paging.q === q ? paging.page : 1;
  const setPage = (p: number) => setPaging({ q, page: p });
  const members = useQuery({
    queryKey: [...chatKeys.members(orgID, chat.id), 'panel', q, page],
    queryFn: () => chatApi.members(orgID, chat.id, { query: q || undefined, limit: MEMBERS_PAGE, offset: (page - 1) * MEMBERS_PAGE }),
    placeholderData: keepPreviousData,
    enabled: chat.kind !== 'direct',
  });

  const changed = () => {
    void client.invalidateQueries({ queryKey: chatKeys.members(orgID, chat.id) });
    void client.invalidateQueries({ queryKey: chatKeys.chat(orgID, chat.id) });
    void client.invalidateQueries({ queryKey: chatKeys.lists(orgID) });
  };

  const remove = (m: ChatMember) =>
    modal.confirm({
      title: t('chat.info.removeTitle', { name: m.name }),
      content: t('chat.info.removeText'),
      okText: t('chat.info.remove'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await chatApi.removeMember(orgID, chat.id, m.user_id);
          message.success(t('chat.info.removed', { name: m.name }));
          changed();
        } catch (err) {
          message.error(chatErrorText(t, err));
        }
      },
    });

  const leave = () =>
    modal.confirm({
      title: t('chat.info.leaveTitle', { name: chat.name }),
      content: t('chat.info.leaveText'),
      okText: t('chat.info.leave'),
      okButtonProps: { danger: true, 'data-testid': 'leave-confirm' },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await chatApi.leave(orgID, chat.id);
        } catch (err) {
          message.error(chatErrorText(t, err));
          return;
        }
        // It is no longer mine: out of the list at once (the refetch agrees), and off the screen.
        client.setQueriesData<ChatPage>({ queryKey: chatKeys.lists(orgID) }, (p) =>
          p?.items ? { ...p, items: p.items.filter((c) => c.id !== chat.id), total: Math.max(0, p.total - 1) } : p,
        );
        void client.invalidateQueries({ queryKey: chatKeys.lists(orgID) });
        message.success(t('chat.info.left', { name: chat.name }));
        navigate('/messages');
      },
    });

  const total = members.data?.total ?? chat.member_count;
  return (
    <Drawer open onClose={onClose} title={t('chat.info.title')} width={mobile ? '100%' : 400} data-testid="chat-info" className="chat-info">
      <section className="chat-info-section" aria-label={chat.kind === 'direct' ? undefined : t('chat.info.name')}>
        {editing ? (
          <AboutForm orgID={orgID} chat={chat} onDone={() => setEditing(false)} />
        ) : (
          <div className="chat-info-about">
            <div className="chat-info-name-row">
              <strong className="chat-info-name" data-testid="chat-info-name">
                {chat.name}
              </strong>
              {may.edit && (
                <Button type="text" size="small" icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="chat-info-edit">
                  {t('chat.edit')}
                </Button>
              )}
            </div>
            {chat.kind !== 'direct' && (
              <Typography.Paragraph type={chat.description ? undefined : 'secondary'} className="chat-info-description" data-testid="chat-info-description">
                {chat.description || t('chat.info.noDescription')}
              </Typography.Paragraph>
            )}
          </div>
        )}
      </section>

      <section className="chat-info-section">
        <label className="chat-info-switch">
          <span>{t('chat.info.mute')}</span>
          <Switch checked={chat.muted} onChange={(on) => void onToggle('muted', on)} aria-label={t('chat.info.mute')} data-testid="info-mute" />
        </label>
        <label className="chat-info-switch">
          <span>{t('chat.info.pin')}</span>
          <Switch checked={chat.pinned} onChange={(on) => void onToggle('pinned', on)} aria-label={t('chat.info.pin')} data-testid="info-pin" />
        </label>
      </section>

      {/* A direct chat is two people: the other one is its name. */}
      {chat.kind !== 'direct' && (
        <section className="chat-info-section" aria-label={t('chat.info.members', { count: total })}>
          <div className="chat-info-members-head">
            <h2 className="chat-info-heading">{t('chat.info.members', { count: total })}</h2>
            {may.add && (
              <Button size="small" icon={<UserAddOutlined />} onClick={() => setAdding(true)} data-testid="add-members">
                {t('chat.info.add')}
              </Button>
            )}
          </div>
          {chat.kind === 'group' && <Alert type="info" showIcon message={t('chat.info.followsGroup')} className="chat-info-note" data-testid="members-follow" />}
          {chat.kind === 'department' && <Alert type="info" showIcon message={t('chat.info.followsDepartment')} className="chat-info-note" data-testid="members-follow" />}
          <SearchInput label={t('chat.info.searchMembers')} value={search} onChange={setSearch} />
          <List
            size="small"
            loading={members.isFetching && !members.data}
            dataSource={members.data?.items ?? []}
            locale={{ emptyText: members.isError ? chatErrorText(t, members.error) : t('chat.info.noMember') }}
            data-testid="chat-members"
            pagination={
              total > MEMBERS_PAGE ? { current: page, pageSize: MEMBERS_PAGE, total, size: 'small', showSizeChanger: false, onChange: setPage, simple: true } : false
            }
            renderItem={(m) => (
              <List.Item
                key={m.user_id}
                data-testid="chat-member"
                data-user-id={m.user_id}
                actions={
                  may.remove(m, me)
                    ? [
                        <Button key="remove" type="link" size="small" danger onClick={() => remove(m)} aria-label={t('chat.info.removeLabel', { name: m.name })} data-testid="remove-member">
                          {t('chat.info.remove')}
                        </Button>,
                      ]
                    : undefined
                }
              >
                <List.Item.Meta
                  avatar={<PersonAvatar name={m.name} size="small" />}
                  title={
                    <Space size={4} wrap>
                      <span>{m.name}</span>
                      {m.user_id === me && <Typography.Text type="secondary">{t('chat.info.you')}</Typography.Text>}
                      {m.role === 'owner' && <Tag color="gold">{t('chat.info.owner')}</Tag>}
                      {m.role === 'admin' && <Tag color="blue">{t('chat.info.admin')}</Tag>}
                    </Space>
                  }
                  description={m.department}
                />
              </List.Item>
            )}
          />
        </section>
      )}

      {may.leave && (
        <section className="chat-info-section">
          <Button danger block onClick={leave} data-testid="leave-chat">
            {t('chat.info.leave')}
          </Button>
        </section>
      )}
      {adding && (
        <AddMembersDialog
          orgID={orgID}
          chat={chat}
          onClose={() => setAdding(false)}
          onAdded={(n) => {
            setAdding(false);
            message.success(n > 0 ? t('chat.info.added', { count: n }) : t('chat.info.addedNone'));
            changed();
          }}
        />
      )}
    </Drawer>
  );
}

/** AboutForm changes a chat's name and description. */
function AboutForm({ orgID, chat, onDone }: { orgID: string; chat: Chat; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const save = async (v: { name: string; description: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      // The name only when changed: a group or department chat without a name of its own shows
      // its group's or department's, and sending that would fix it there for good.
      const name = v.name.trim();
      const saved = await chatApi.update(orgID, chat.id, { ...(name !== chat.name ? { name } : {}), description: v.description.trim() });
      client.setQueryData(chatKeys.chat(orgID, chat.id), saved);
      void client.invalidateQueries({ queryKey: chatKeys.lists(orgID) });
      message.success(t('chat.info.saved'));
      onDone();
    } catch (err) {
      setError(chatErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form layout="vertical" disabled={busy} initialValues={{ name: chat.name, description: chat.description }} onFinish={(v) => void save(v)} data-testid="chat-about-form">
      <ErrorAlert error={error} />
      <Form.Item
        label={t('chat.info.name')}
        name="name"
        rules={chat.kind === 'adhoc' ? [{ required: true, whitespace: true, message: t('chat.info.nameRequired') }] : []}
      >
        <Input maxLength={100} data-testid="chat-name-input" />
      </Form.Item>
      <Form.Item label={t('chat.info.description')} name="description">
        <Input.TextArea maxLength={1000} autoSize={{ minRows: 2, maxRows: 6 }} data-testid="chat-description-input" />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="chat-about-save">
          {t('common.save')}
        </Button>
        <Button onClick={onDone}>{t('common.cancel')}</Button>
      </Space>
    </Form>
  );
}

/** AddMembersDialog adds people to an ad-hoc chat, saying why not when the chat is full. */
function AddMembersDialog({ orgID, chat, onClose, onAdded }: { orgID: string; chat: Chat; onClose: () => void; onAdded: (n: number) => void }) {
  const { t } = useTranslation();
  const [people, setPeople] = useState<PersonRef[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const add = async () => {
    if (people.length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await chatApi.addMembers(orgID, chat.id, people.map((p) => p.id));
      onAdded(r?.added ?? people.length);
    } catch (err) {
      setError(chatErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('chat.info.addTitle', { name: chat.name })}
      okText={t('chat.info.addButton')}
      cancelText={t('common.cancel')}
      onOk={() => void add()}
      okButtonProps={{ disabled: people.length === 0, 'data-testid': 'add-members-submit' }}
      confirmLoading={busy}
      onCancel={onClose}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      <Form layout="vertical" disabled={busy}>
        <Form.Item label={t('chat.members')} extra={t('chat.findHint')}>
          <PeopleSelect value={people} onChange={setPeople} aria-label={t('chat.members')} data-testid="add-members-select" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
