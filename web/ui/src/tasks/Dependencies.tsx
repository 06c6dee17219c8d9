import { CloseOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, List, Select, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { tasksApi, useTaskSearch, type Task, type TaskRef } from './api';
import { taskKeys } from './keys';
import { tasksErrorText, useOpenTask, useTasksRefresh } from './shared';

function StatusTag({ status }: { status: TaskRef['status'] }) {
  const { t } = useTranslation();
  return status === 'done' ? <Tag color="green">{t('tasks.status.done')}</Tag> : <Tag color="orange">{t('tasks.status.open')}</Tag>;
}

/**
 * Dependencies shows what a task is blocked by (add and remove, across lists of the
 * organisation) and what it blocks. A cycle is refused by the server (409).
 */
export function Dependencies({ orgID, task, writable }: { orgID: string; task: Task; writable: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  const openTask = useOpenTask();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setQ(search.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [search]);
  const found = useTaskSearch(orgID, task.list_name !== null ? task.list_id : undefined, adding ? q : '');
  const blocking = useQuery({
    queryKey: [...taskKeys.task(orgID, task.id), 'blocking'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasks/{taskID}/blocking', { params: { path: { orgID, taskID: task.id }, query: { limit: 200 } } })),
  });
  const taken = new Set([task.id, ...task.blocked_by.map((b) => b.id)]);
  const options = adding ? (found.data ?? []).filter((c) => !taken.has(c.id)).map((c) => ({ value: c.id, label: c.title })) : [];

  const add = async (id: string) => {
    try {
      await tasksApi.addDependency(orgID, task.id, id);
      setSearch('');
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };
  const remove = async (b: TaskRef) => {
    try {
      await tasksApi.removeDependency(orgID, task.id, b.id);
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };

  return (
    <section className="task-section" aria-labelledby="deps-heading">
      <h3 id="deps-heading">{t('tasks.deps.blockedBy')}</h3>
      <List
        size="small"
        dataSource={task.blocked_by}
        locale={{ emptyText: t('tasks.deps.none') }}
        renderItem={(b) => (
          <List.Item
            data-testid={`blocker-${b.title}`}
            actions={
              writable
                ? [
                    <Button key="x" size="small" type="text" icon={<CloseOutlined />} aria-label={t('tasks.deps.remove', { title: b.title })} onClick={() => void remove(b)} />,
                  ]
                : []
            }
          >
            <Button type="link" size="small" onClick={() => openTask(b.id)}>
              {b.title}
            </Button>
            <StatusTag status={b.status} />
          </List.Item>
        )}
      />
      {writable && (
        <Select
          className="full-width"
          aria-label={t('tasks.deps.add')}
          data-testid="dependency-picker"
          showSearch
          filterOption={false}
          placeholder={t('tasks.deps.add')}
          value={null}
          onSearch={setSearch}
          onOpenChange={setAdding}
          onChange={(id: string | null) => id && void add(id)}
          options={options}
          loading={found.isFetching}
          notFoundContent={found.isFetching ? t('common.loading') : t('tasks.deps.noMatch')}
        />
      )}
      {(blocking.data?.items.length ?? 0) > 0 && (
        <>
          <h4>{t('tasks.deps.blocking')}</h4>
          <List
            size="small"
            dataSource={blocking.data?.items ?? []}
            renderItem={(b) => (
              <List.Item>
                <Button type="link" size="small" onClick={() => openTask(b.id)}>
                  {b.title}
                </Button>
                <StatusTag status={b.status} />
              </List.Item>
            )}
          />
        </>
      )}
    </section>
  );
}
