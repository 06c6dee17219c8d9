import { App, Button, Radio, Space, Switch, Table, Tabs, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError } from '../components/PageState';
import { SearchInput } from '../components/SearchInput';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { GroupPicker } from '../directory/GroupPicker';
import { useFormat } from '../lib/hooks';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { levelAtLeast, tasksApi, useTaskLists, type OwnerKind, type TaskList } from '../tasks/api';
import { ownerKindLabel, tasksErrorText, useTasksRefresh } from '../tasks/shared';

const PAGE_SIZE = 50;

type OwnerFilter = 'all' | Exclude<OwnerKind, 'person'>;

/**
 * TaskListsPage is the console's view of task lists: a department's or a group's lists (a
 * department admin sees those of their subtree), archived ones, and the lists deleted in the
 * last 30 days, which a manager may restore.
 */
export default function TaskListsPage() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const [tab, setTab] = useState<'lists' | 'deleted'>('lists');
  if (!org) return null;
  return (
    <>
      <PageHeader title={t('tasks.console.title')} description={t('tasks.console.intro')} />
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as 'lists' | 'deleted')}
        items={[
          { key: 'lists', label: t('tasks.console.lists'), children: <Lists orgID={org.id} /> },
          { key: 'deleted', label: t('tasks.console.deleted'), children: <Deleted orgID={org.id} /> },
        ]}
      />
    </>
  );
}

function Lists({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { message } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  const [kind, setKind] = useState<OwnerFilter>('all');
  const [ownerID, setOwnerID] = useState<string>();
  const [archived, setArchived] = useState(false);
  const [page, setPage] = useState(1);
  const { search, setSearch, q } = useDebouncedSearch(() => setPage(1));
  const needsOwner = kind === 'department' || kind === 'group';
  const lists = useTaskLists(orgID, {
    q: q || undefined,
    owner_kind: kind === 'all' || (needsOwner && !ownerID) ? undefined : kind,
    owner_id: needsOwner ? ownerID : undefined,
    archived,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  const archive = async (l: TaskList) => {
    try {
      await tasksApi.updateList(orgID, l.id, { archived: !l.archived });
      message.success(l.archived ? t('tasks.lists.unarchived') : t('tasks.lists.archived'));
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };
  return (
    <>
      <Space wrap className="toolbar">
        <SearchInput label={t('tasks.console.search')} value={search} onChange={setSearch} />
        <Radio.Group
          optionType="button"
          aria-label={t('tasks.console.owner')}
          value={kind}
          onChange={(e) => {
            setKind(e.target.value);
            setOwnerID(undefined);
            setPage(1);
          }}
          options={[
            { value: 'all', label: t('tasks.console.all') },
            { value: 'department', label: ownerKindLabel(t, 'department') },
            { value: 'group', label: ownerKindLabel(t, 'group') },
            { value: 'organisation', label: ownerKindLabel(t, 'organisation') },
          ]}
        />
        {kind === 'department' && <DepartmentPicker aria-label={t('tasks.owner.department')} value={ownerID} onChange={(id) => setOwnerID(id)} allowClear />}
        {kind === 'group' && <GroupPicker aria-label={t('tasks.owner.group')} value={ownerID} onChange={(id) => setOwnerID(id)} />}
        <label className="inline-switch">
          <Switch size="small" checked={archived} onChange={setArchived} aria-label={t('tasks.nav.showArchived')} /> {t('tasks.nav.showArchived')}
        </label>
      </Space>
      {lists.isError ? (
        <PageError error={lists.error} onRetry={() => lists.refetch()} />
      ) : (
        <Table<TaskList>
          rowKey="id"
          loading={lists.isFetching}
          dataSource={lists.data?.items ?? []}
          pagination={{ current: page, pageSize: PAGE_SIZE, total: lists.data?.total ?? 0, showSizeChanger: false, onChange: setPage }}
          scroll={{ x: true }}
          columns={[
            { title: t('tasks.lists.name'), key: 'name', render: (_, l) => <Link to={`/tasks/lists/${l.id}`}>{l.name}</Link> },
            {
              title: t('tasks.console.owner'),
              key: 'owner',
              render: (_, l) => (
                <Space size="small">
                  <Tag>{ownerKindLabel(t, l.owner_kind)}</Tag>
                  {l.owner_name}
                </Space>
              ),
            },
            { title: t('tasks.console.open'), dataIndex: 'open_count', key: 'open' },
            { title: t('tasks.console.done'), dataIndex: 'done_count', key: 'done' },
            { title: t('tasks.console.createdBy'), key: 'by', render: (_, l) => l.created_by.name },
            { title: t('tasks.console.updated'), key: 'updated', render: (_, l) => format.dateTime(l.updated_at) },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_, l) =>
                levelAtLeast(l.level, 'manage') && (
                  <Button size="small" onClick={() => void archive(l)}>
                    {l.archived ? t('tasks.lists.unarchive') : t('tasks.lists.archive')}
                  </Button>
                ),
            },
          ]}
        />
      )}
    </>
  );
}

function Deleted({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { message } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  const [page, setPage] = useState(1);
  const lists = useTaskLists(orgID, { deleted: true, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const restore = async (l: TaskList) => {
    try {
      await tasksApi.restoreList(orgID, l.id);
      message.success(t('tasks.console.restored', { name: l.name }));
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };
  return lists.isError ? (
    <PageError error={lists.error} onRetry={() => lists.refetch()} />
  ) : (
    <Table<TaskList>
      rowKey="id"
      loading={lists.isFetching}
      dataSource={lists.data?.items ?? []}
      locale={{ emptyText: t('tasks.console.noneDeleted') }}
      pagination={{ current: page, pageSize: PAGE_SIZE, total: lists.data?.total ?? 0, showSizeChanger: false, onChange: setPage }}
      scroll={{ x: true }}
      columns={[
        { title: t('tasks.lists.name'), dataIndex: 'name', key: 'name' },
        {
          title: t('tasks.console.owner'),
          key: 'owner',
          render: (_, l) => (
            <Space size="small">
              <Tag>{ownerKindLabel(t, l.owner_kind)}</Tag>
              {l.owner_name}
            </Space>
          ),
        },
        { title: t('tasks.console.deletedAt'), key: 'deletedAt', render: (_, l) => format.dateTime(l.deleted_at) },
        {
          title: t('common.actions'),
          key: 'actions',
          render: (_, l) => (
            <Button size="small" onClick={() => void restore(l)} aria-label={t('tasks.console.restoreNamed', { name: l.name })}>
              {t('tasks.console.restore')}
            </Button>
          ),
        },
      ]}
    />
  );
}
