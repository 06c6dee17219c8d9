import { useQueryClient } from '@tanstack/react-query';
import { App, Checkbox, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { tasksApi, useReminders, type Task } from './api';
import { taskKeys } from './keys';
import { tasksErrorText } from './shared';

/** REMINDER_OFFSETS are the choices, in minutes before the due time. */
export const REMINDER_OFFSETS = [0, 15, 60, 1440];

/** Reminders sets the user's own reminders on a task, relative to its due time. */
export function Reminders({ orgID, task }: { orgID: string; task: Task }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const reminders = useReminders(orgID, task.id);
  const label = (m: number) => {
    switch (m) {
      case 0:
        return t('tasks.reminders.atDue');
      case 15:
        return t('tasks.reminders.min15');
      case 60:
        return t('tasks.reminders.hour1');
      default:
        return t('tasks.reminders.day1');
    }
  };
  const offsets = reminders.data?.offsets_minutes ?? [];
  const change = async (next: number[]) => {
    try {
      const saved = await tasksApi.setReminders(orgID, task.id, [...next].sort((a, b) => a - b));
      queryClient.setQueryData([...taskKeys.task(orgID, task.id), 'reminders'], saved);
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };
  return (
    <div className="task-reminders">
      {!task.due_at && <Typography.Text type="secondary">{t('tasks.reminders.needsDue')}</Typography.Text>}
      <Checkbox.Group
        aria-label={t('tasks.reminders.title')}
        data-testid="reminders"
        disabled={!task.due_at || reminders.isPending}
        value={offsets}
        onChange={(v) => void change(v as number[])}
        options={[...new Set([...REMINDER_OFFSETS, ...offsets])].map((m) => ({ value: m, label: REMINDER_OFFSETS.includes(m) ? label(m) : t('tasks.reminders.minutes', { count: m }) }))}
      />
    </div>
  );
}
