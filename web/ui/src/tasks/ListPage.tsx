import { AppstoreOutlined, BarsOutlined, DeleteOutlined, EditOutlined, InboxOutlined, MoreOutlined, ShareAltOutlined } from '@ant-design/icons';
import { Alert, App, Button, Dropdown, Form, Input, Modal, Segmented, Select, Space, Switch, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { SearchInput } from '../components/SearchInput';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { levelAtLeast, tasksApi, useListTasks, useTaskList, type TaskList } from './api';
import { Board } from './Board';
import { ListView } from './ListView';
import { ListShareDialog } from './ShareDialogs';
import { ownerKindLabel, tasksErrorText, useOpenTask, useTasksRefresh } from './shared';

function RenameDialog({ orgID, list, onClose }: { orgID: string; list: TaskList; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  const [busy, setBusy] = useState(false);
  return (
    <Modal open title={t('tasks.lists.rename')} onCancel={onClose} footer={null} destroyOnHidden>
      <Form
        layout="vertical"
        requiredMark={false}
        initialValues={{ name: list.name, description: list.description }}
        disabled={busy}
        onFinish={async (v: { name: string; description: string }) => {
          setBusy(true);
          try {
            await tasksApi.updateList(orgID, list.id, { name: v.name.trim(), description: v.description ?? '' });
            await refresh();
            onClose();
          } catch (err) {
            message.error(tasksErrorText(t, err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item name="name" label={t('tasks.lists.name')} rules={[{ required: true, whitespace: true, message: t('tasks.lists.nameRequired') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('tasks.lists.description')}>
          <Input.TextArea maxLength={10000} autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('common.save')}
        </Button>
      </Form>
    </Modal>
  );
}

/** ListPage is one list, as a kanban board or a list with sections as headings. */
export default function ListPage({ orgID }: { orgID: string }) {
  const { listID } = useParams();
  // Another list starts with its own filters.
  return <ListContent key={listID} orgID={orgID} listID={listID!} />;
}

function ListContent({ orgID, listID }: { orgID: string; listID: string }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const view = params.get('view') === 'list' ? 'list' : 'board';
  const [showDone, setShowDone] = useState(false);
  const { search, setSearch, q } = useDebouncedSearch();
  const [labelID, setLabelID] = useState<string>();
  const [dialog, setDialog] = useState<'share' | 'rename'>();
  const openTask = useOpenTask();
  const refresh = useTasksRefresh(orgID);
  const list = useTaskList(orgID, listID);
  const tasks = useListTasks(orgID, listID, { status: showDone ? 'all' : 'open', q: q || undefined, label_id: labelID });
  const items = useMemo(() => tasks.data?.pages.flatMap((p) => p.items) ?? [], [tasks.data]);

  if (list.isPending) return <PageLoading />;
  if (list.isError) return <PageError error={list.error} onRetry={() => list.refetch()} />;
  const l = list.data;
  const writable = levelAtLeast(l.level, 'write') && !l.archived;
  const manager = levelAtLeast(l.level, 'manage');

  const setView = (v: string) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.set('view', v);
      return next;
    });
  const archive = async (archived: boolean) => {
    try {
      await tasksApi.updateList(orgID, l.id, { archived });
      message.success(archived ? t('tasks.lists.archived') : t('tasks.lists.unarchived'));
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };
  const remove = () =>
    modal.confirm({
      title: t('tasks.lists.deleteTitle', { name: l.name }),
      content: t('tasks.lists.deleteText'),
      okText: t('tasks.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await tasksApi.deleteList(orgID, l.id);
          message.success(t('tasks.lists.deleted'));
          await refresh();
          navigate('/tasks');
        } catch (err) {
          message.error(tasksErrorText(t, err));
        }
      },
    });

  return (
    <div className="task-list-page">
      <PageHeader
        title={l.name}
        description={
          <Space size="small" wrap>
            <Tag>{ownerKindLabel(t, l.owner_kind)}</Tag>
            <span>{l.owner_name}</span>
            {l.description && <span className="list-description">{l.description}</span>}
          </Space>
        }
        extra={
          <Space wrap>
            <Segmented
              aria-label={t('tasks.lists.viewAs')}
              data-testid="view-switch"
              value={view}
              onChange={(v) => setView(String(v))}
              options={[
                { value: 'board', icon: <AppstoreOutlined />, label: t('tasks.lists.board') },
                { value: 'list', icon: <BarsOutlined />, label: t('tasks.lists.list') },
              ]}
            />
            {manager && (
              <Dropdown
                trigger={['click']}
                menu={{
                  items: [
                    { key: 'share', icon: <ShareAltOutlined />, label: t('tasks.lists.share'), onClick: () => setDialog('share') },
                    { key: 'rename', icon: <EditOutlined />, label: t('tasks.lists.rename'), onClick: () => setDialog('rename') },
                    { key: 'archive', icon: <InboxOutlined />, label: l.archived ? t('tasks.lists.unarchive') : t('tasks.lists.archive'), onClick: () => void archive(!l.archived) },
                    { key: 'delete', icon: <DeleteOutlined />, label: t('tasks.lists.delete'), danger: true, onClick: remove },
                  ],
                }}
              >
                <Button icon={<MoreOutlined />} aria-label={t('tasks.lists.actions')} data-testid="list-actions" />
              </Dropdown>
            )}
          </Space>
        }
      />
      {l.archived && (
        <Alert
          type="info"
          showIcon
          className="form-alert"
          message={t('tasks.lists.isArchived')}
          action={
            manager && (
              <Button size="small" onClick={() => void archive(false)}>
                {t('tasks.lists.unarchive')}
              </Button>
            )
          }
        />
      )}
      <Space wrap className="task-filters">
        <SearchInput label={t('tasks.filters.search')} value={search} onChange={setSearch} />
        {l.labels.length > 0 && (
          <Select
            allowClear
            aria-label={t('tasks.filters.label')}
            placeholder={t('tasks.filters.label')}
            value={labelID}
            onChange={setLabelID}
            options={l.labels.map((x) => ({ value: x.id, label: x.name }))}
            style={{ minWidth: 140 }}
          />
        )}
        <label className="inline-switch">
          <Switch size="small" checked={showDone} onChange={setShowDone} aria-label={t('tasks.filters.showDone')} /> {t('tasks.filters.showDone')}
        </label>
      </Space>
      {tasks.isError ? (
        <PageError error={tasks.error} onRetry={() => tasks.refetch()} />
      ) : tasks.isPending ? (
        <PageLoading />
      ) : view === 'board' ? (
        <Board orgID={orgID} list={l} tasks={items} writable={writable} onOpen={(task) => openTask(task.id)} />
      ) : (
        <ListView orgID={orgID} list={l} tasks={items} writable={writable} onOpen={(task) => openTask(task.id)} />
      )}
      {tasks.hasNextPage && (
        <div className="load-more">
          <Button onClick={() => void tasks.fetchNextPage()} loading={tasks.isFetchingNextPage}>
            {t('tasks.loadMore')}
          </Button>
        </div>
      )}
      {dialog === 'share' && <ListShareDialog orgID={orgID} listID={l.id} name={l.name} onClose={() => setDialog(undefined)} />}
      {dialog === 'rename' && <RenameDialog orgID={orgID} list={l} onClose={() => setDialog(undefined)} />}
    </div>
  );
}
