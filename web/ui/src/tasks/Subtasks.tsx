import { App, Button, Checkbox, Input, List, Progress, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { tasksApi, useSubtasks, type Task } from './api';
import { useCompleteTask, useReopenTask } from './complete';
import { tasksErrorText, useOpenTask, useTasksRefresh } from './shared';

/** Subtasks lists a task's subtasks with their progress (3/5), and adds and completes them. */
export function Subtasks({ orgID, task, writable }: { orgID: string; task: Task; writable: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const subtasks = useSubtasks(orgID, task.id);
  const complete = useCompleteTask(orgID);
  const reopen = useReopenTask(orgID);
  const openTask = useOpenTask();
  const refresh = useTasksRefresh(orgID);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const items = subtasks.data?.items ?? [];
  const total = task.subtask_total;
  const done = task.subtask_done;

  const add = async () => {
    const text = title.trim();
    if (!text) return;
    setBusy(true);
    try {
      await tasksApi.createTask(orgID, task.list_id, { title: text, parent_id: task.id, after_id: items.length ? items[items.length - 1].id : null });
      setTitle('');
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="task-section" aria-labelledby="subtasks-heading">
      <h3 id="subtasks-heading">
        {t('tasks.subtasks.title')}{' '}
        {total > 0 && (
          <span className="subtask-count" data-testid="subtask-progress">
            {t('tasks.subtasks.progress', { done, total })}
          </span>
        )}
      </h3>
      {total > 0 && <Progress percent={Math.round((done / total) * 100)} size="small" showInfo={false} aria-hidden />}
      <List
        size="small"
        loading={subtasks.isPending}
        dataSource={items}
        locale={{ emptyText: t('tasks.subtasks.none') }}
        renderItem={(s) => (
          <List.Item data-testid={`subtask-${s.title}`}>
            <Space>
              <Checkbox
                checked={s.status === 'done'}
                disabled={!writable}
                aria-label={s.status === 'done' ? t('tasks.reopenNamed', { title: s.title }) : t('tasks.completeNamed', { title: s.title })}
                onChange={(e) => void (e.target.checked ? complete(s.id, { openNext: false }) : reopen(s.id))}
              />
              <Button type="link" size="small" className={s.status === 'done' ? 'task-done-title' : undefined} onClick={() => openTask(s.id)}>
                {s.title}
              </Button>
              {s.subtask_total > 0 && <span className="subtask-count">{t('tasks.subtasks.progress', { done: s.subtask_done, total: s.subtask_total })}</span>}
            </Space>
          </List.Item>
        )}
      />
      {writable && (
        <Space.Compact className="full-width">
          <Input
            aria-label={t('tasks.subtasks.add')}
            data-testid="subtask-input"
            placeholder={t('tasks.subtasks.addPlaceholder')}
            value={title}
            maxLength={500}
            onChange={(e) => setTitle(e.target.value)}
            onPressEnter={() => void add()}
            disabled={busy}
          />
          <Button onClick={() => void add()} loading={busy} disabled={!title.trim()}>
            {t('tasks.subtasks.add')}
          </Button>
        </Space.Compact>
      )}
    </section>
  );
}
