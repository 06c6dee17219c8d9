import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, InputNumber, Radio, Segmented, Space, Switch, Table, Tabs, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePermissions } from '../auth/access';
import { useCurrentOrg } from '../auth/OrgContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { SearchInput } from '../components/SearchInput';
import { chatApi } from '../chat/api';
import { chatErrorText } from '../chat/errors';
import { chatKeys } from '../chat/live';
import '../chat/strings';
import type { Chat, MessagingSettings } from '../chat/types';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { GroupPicker } from '../directory/GroupPicker';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { FormDialog } from './shared/FormDialog';

const PAGE_SIZE = 50;

type KindFilter = 'all' | 'group' | 'department';

function CreateChatDialog({ orgID, onClose, onCreated }: { orgID: string; onClose: () => void; onCreated: () => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<'group' | 'department'>('group');
  return (
    <FormDialog<{ kind: 'group' | 'department'; group_id?: string; department_id?: string }>
      name="create-chat"
      title={t('msgConsole.createChat')}
      okText={t('chat.create')}
      initialValues={{ kind: 'group' }}
      onClose={onClose}
      onSubmit={async (v) => {
        await chatApi.create(orgID, v.kind === 'group' ? { kind: 'group', group_id: v.group_id! } : { kind: 'department', department_id: v.department_id! });
        onCreated();
      }}
    >
      <Form.Item name="kind" label={t('chat.kind')}>
        <Radio.Group onChange={(e) => setKind(e.target.value as 'group' | 'department')} data-testid="create-chat-kind">
          <Radio.Button value="group">{t('chat.kinds.group')}</Radio.Button>
          <Radio.Button value="department">{t('chat.kinds.department')}</Radio.Button>
        </Radio.Group>
      </Form.Item>
      {kind === 'group' ? (
        <Form.Item name="group_id" label={t('announcements.group')} rules={[{ required: true, message: t('announcements.pickGroup') }]}>
          <GroupPicker className="full-width" aria-label={t('announcements.group')} />
        </Form.Item>
      ) : (
        <Form.Item name="department_id" label={t('announcements.department')} rules={[{ required: true, message: t('announcements.pickDepartment') }]}>
          <DepartmentPicker className="full-width" aria-label={t('announcements.department')} />
        </Form.Item>
      )}
    </FormDialog>
  );
}

function Chats({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [kind, setKind] = useState<KindFilter>('all');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const { search, setSearch, q } = useDebouncedSearch(() => setPage(1));
  const mayExport = usePermissions().can('messages.export');
  const chats = useQuery({
    queryKey: [...chatKeys.admin(orgID), kind, q, page],
    queryFn: () => chatApi.adminChats(orgID, { kind: kind === 'all' ? undefined : kind, query: q || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
  });
  const hold = async (c: Chat, on: boolean) => {
    try {
      await chatApi.legalHold(orgID, c.id, on);
      message.success(on ? t('msgConsole.holdOn', { name: c.name }) : t('msgConsole.holdOff', { name: c.name }));
      await client.invalidateQueries({ queryKey: chatKeys.admin(orgID) });
    } catch (err) {
      message.error(chatErrorText(t, err));
    }
  };
  if (chats.isError) return <PageError error={chats.error} onRetry={() => void chats.refetch()} />;
  return (
    <>
      <div className="toolbar">
        <SearchInput label={t('msgConsole.search')} value={search} onChange={setSearch} />
        <Segmented<KindFilter>
          value={kind}
          onChange={(v) => {
            setKind(v);
            setPage(1);
          }}
          options={[
            { value: 'all', label: t('msgConsole.all') },
            { value: 'group', label: t('chat.kinds.group') },
            { value: 'department', label: t('chat.kinds.department') },
          ]}
        />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="create-chat">
          {t('msgConsole.createChat')}
        </Button>
      </div>
      <Table<Chat>
        rowKey="id"
        data-testid="admin-chats"
        loading={chats.isPending}
        dataSource={chats.data?.items ?? []}
        pagination={{ current: page, pageSize: PAGE_SIZE, total: chats.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        locale={{ emptyText: t('msgConsole.noChats') }}
        columns={[
          { title: t('chat.name'), dataIndex: 'name', key: 'name' },
          {
            title: t('chat.kind'),
            key: 'kind',
            render: (_, c) => <Tag>{c.kind === 'group' ? t('chat.kinds.group') : c.kind === 'department' ? t('chat.kinds.department') : c.kind === 'adhoc' ? t('chat.kinds.adhoc') : t('chat.kinds.direct')}</Tag>,
          },
          { title: t('chat.members'), key: 'members', render: (_, c) => t('chat.memberCount', { count: c.member_count }) },
          {
            title: t('msgConsole.legalHold'),
            key: 'hold',
            render: (_, c) => (
              <Switch checked={!!c.legal_hold} onChange={(on) => void hold(c, on)} aria-label={t('msgConsole.legalHoldOf', { name: c.name })} data-testid="legal-hold" />
            ),
          },
          // Exporting a chat's history is organisation-wide, beside managing chats.
          ...(mayExport
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, c: Chat) => (
                    <Button size="small" icon={<DownloadOutlined />} href={chatApi.exportUrl(orgID, c.id)} data-testid="export-chat">
                      {t('msgConsole.export')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {creating && (
        <CreateChatDialog
          orgID={orgID}
          onClose={() => setCreating(false)}
          onCreated={() => {
            message.success(t('msgConsole.created'));
            void client.invalidateQueries({ queryKey: chatKeys.all(orgID) });
          }}
        />
      )}
    </>
  );
}

/** SettingsForm is the organisation's messaging settings: retention, receipts opt-out, the @all size. */
export function SettingsForm({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const settings = useQuery({ queryKey: chatKeys.settings(orgID), queryFn: () => chatApi.getSettings(orgID) });
  const [forever, setForever] = useState(true);
  const [days, setDays] = useState<number | null>(365);
  const [optOut, setOptOut] = useState(false);
  const [allMax, setAllMax] = useState<number | null>(50);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!settings.data) return;
    setForever(settings.data.retention_days === null);
    if (settings.data.retention_days !== null) setDays(settings.data.retention_days);
    setOptOut(settings.data.allow_receipt_opt_out);
    setAllMax(settings.data.mention_all_max);
  }, [settings.data]);
  if (settings.isPending) return <PageLoading />;
  if (settings.isError) return <PageError error={settings.error} onRetry={() => void settings.refetch()} />;
  const save = async () => {
    const body: MessagingSettings = { retention_days: forever ? null : (days ?? 1), allow_receipt_opt_out: optOut, mention_all_max: allMax ?? 50 };
    setBusy(true);
    setError(undefined);
    try {
      client.setQueryData(chatKeys.settings(orgID), await chatApi.putSettings(orgID, body));
      message.success(t('msgConsole.settingsSaved'));
    } catch (err) {
      setError(chatErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form layout="vertical" className="narrow-form" disabled={busy} onFinish={() => void save()}>
      <ErrorAlert error={error} />
      <Form.Item label={t('msgConsole.retention')} extra={t('msgConsole.retentionHelp')}>
        <Space wrap>
          <Radio.Group value={forever ? 'forever' : 'days'} onChange={(e) => setForever(e.target.value === 'forever')} data-testid="retention-mode">
            <Radio value="forever">{t('msgConsole.forever')}</Radio>
            <Radio value="days">{t('msgConsole.forDays')}</Radio>
          </Radio.Group>
          {!forever && (
            <InputNumber min={1} max={36500} value={days} onChange={setDays} aria-label={t('msgConsole.days')} addonAfter={t('msgConsole.days')} data-testid="retention-days" />
          )}
        </Space>
      </Form.Item>
      <Form.Item label={t('msgConsole.receiptOptOut')} extra={t('msgConsole.receiptOptOutHelp')}>
        <Switch checked={optOut} onChange={setOptOut} aria-label={t('msgConsole.receiptOptOut')} data-testid="receipt-opt-out" />
      </Form.Item>
      <Form.Item label={t('msgConsole.mentionAllMax')} extra={t('msgConsole.mentionAllMaxHelp')}>
        <InputNumber min={2} max={1000} value={allMax} onChange={setAllMax} aria-label={t('msgConsole.mentionAllMax')} data-testid="mention-all-max" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} data-testid="messaging-settings-save">
        {t('common.save')}
      </Button>
    </Form>
  );
}

/**
 * ChatsPage is the console's messaging page: the group and department chats (create one, legal
 * hold, export), and for owners and admins the organisation's messaging settings.
 */
export default function ChatsPage() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const perms = usePermissions();
  if (!org) return null;
  return (
    <>
      <PageHeader title={t('msgConsole.chatsTitle')} description={t('msgConsole.chatsIntro')} />
      {perms.can('settings.manage') ? (
        <Tabs
          items={[
            { key: 'chats', label: t('msgConsole.chatsTab'), children: <Chats orgID={org.id} /> },
            { key: 'settings', label: <span data-testid="messaging-settings-tab">{t('msgConsole.settingsTab')}</span>, children: <SettingsForm orgID={org.id} /> },
          ]}
        />
      ) : (
        <Chats orgID={org.id} />
      )}
    </>
  );
}
