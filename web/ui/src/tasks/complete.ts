import { App } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { tasksApi, type TaskCompleted } from './api';
import { tasksErrorText, useOpenTask, useTasksRefresh } from './shared';

/**
 * completeTask marks a task done. When the server answers 409 task_blocked (tasks it is blocked
 * by are still open), it asks confirm with the server's message, which names them, and on yes
 * completes it anyway (force). It returns undefined when the user said no.
 */
export async function completeTask(
  orgID: string,
  taskID: string,
  confirmBlocked: (message: string) => Promise<boolean>,
): Promise<TaskCompleted | undefined> {
  try {
    return await tasksApi.complete(orgID, taskID);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409 && err.code === 'task_blocked')) throw err;
    if (!(await confirmBlocked(err.message))) return undefined;
    return tasksApi.complete(orgID, taskID, true);
  }
}

/**
 * useCompleteTask completes a task from any view, with the blocked warning, and for a recurring
 * task says that the next occurrence was made and opens it.
 */
export function useCompleteTask(orgID: string) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  const openTask = useOpenTask();
  return useCallback(
    async (taskID: string, opts: { openNext?: boolean } = {}) => {
      const confirmBlocked = (reason: string) =>
        new Promise<boolean>((resolve) => {
          modal.confirm({
            title: t('tasks.complete.blockedTitle'),
            content: reason,
            okText: t('tasks.complete.anyway'),
            cancelText: t('common.cancel'),
            onOk: () => resolve(true),
            onCancel: () => resolve(false),
          });
        });
      try {
        const done = await completeTask(orgID, taskID, confirmBlocked);
        if (!done) return undefined;
        if (done.next) {
          message.success(t('tasks.complete.nextCreated'));
          if (opts.openNext !== false) openTask(done.next.id);
        } else {
          message.success(t('tasks.complete.done'));
        }
        return done;
      } catch (err) {
        message.error(tasksErrorText(t, err));
        return undefined;
      } finally {
        void refresh();
      }
    },
    [orgID, t, message, modal, refresh, openTask],
  );
}

/** useReopenTask marks a done task open again. */
export function useReopenTask(orgID: string) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  return useCallback(
    async (taskID: string) => {
      try {
        await tasksApi.reopen(orgID, taskID);
      } catch (err) {
        message.error(tasksErrorText(t, err));
      } finally {
        void refresh();
      }
    },
    [orgID, t, message, refresh],
  );
}
