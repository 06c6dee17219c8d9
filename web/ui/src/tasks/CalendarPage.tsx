import { Badge, Calendar, Segmented, Space, Tooltip } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/PageHeader';
import { PageError } from '../components/PageState';
import { startOfDay } from '../lib/format';
import { useFormat } from '../lib/hooks';
import { useIsPhone } from './useIsPhone';
import { useMyTasksRange, type MyView, type Task } from './api';
import { dateInZone, ymdString } from './dates';
import { useOpenTask } from './shared';

/** dueDay is the calendar day a task is due on: an all-day date as itself, a time in the viewer's zone. */
export function dueDay(task: Pick<Task, 'due_at' | 'all_day' | 'due_tz'>, timeZone: string): string | undefined {
  if (!task.due_at) return undefined;
  return ymdString(dateInZone(task.due_at, task.all_day && task.due_tz ? task.due_tz : timeZone));
}

/** CalendarPage shows my tasks by due date, a month at a time. */
export default function CalendarPage({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const phone = useIsPhone();
  const openTask = useOpenTask();
  const [month, setMonth] = useState<Dayjs>(() => dayjs().startOf('month'));
  const [view, setView] = useState<MyView>('assigned');
  const zone = format.timeZone;
  // The grid shows the ends of the months around this one too.
  const from = month.subtract(7, 'day');
  const to = month.add(1, 'month').add(14, 'day');
  const tasks = useMyTasksRange(orgID, {
    view,
    status: 'all',
    tz: zone,
    due_from: startOfDay(from.year(), from.month(), from.date(), zone),
    due_to: startOfDay(to.year(), to.month(), to.date(), zone),
  });
  const byDay = useMemo(() => {
    const out = new Map<string, Task[]>();
    for (const task of tasks.data?.items ?? []) {
      const day = dueDay(task, zone);
      if (!day) continue;
      out.set(day, [...(out.get(day) ?? []), task]);
    }
    return out;
  }, [tasks.data, zone]);

  return (
    <div className="task-calendar">
      <PageHeader
        title={t('tasks.calendar.title')}
        extra={
          <Segmented
            aria-label={t('tasks.calendar.whose')}
            value={view}
            onChange={(v) => setView(v as MyView)}
            options={[
              { value: 'assigned', label: t('tasks.my.assigned') },
              { value: 'following', label: t('tasks.my.following') },
              { value: 'created', label: t('tasks.my.created') },
            ]}
          />
        }
      />
      {tasks.isError && <PageError error={tasks.error} onRetry={() => tasks.refetch()} />}
      <Calendar
        fullscreen={!phone}
        value={month}
        mode="month"
        onPanelChange={(d) => setMonth(d.startOf('month'))}
        onSelect={(d, info) => {
          if (info.source !== 'date') setMonth(d.startOf('month'));
        }}
        cellRender={(d, info) => {
          if (info.type !== 'date') return info.originNode;
          const items = byDay.get(d.format('YYYY-MM-DD')) ?? [];
          if (items.length === 0) return null;
          if (phone) return <Badge count={items.length} size="small" aria-label={t('tasks.calendar.count', { count: items.length })} />;
          return (
            <ul className="calendar-tasks">
              {items.slice(0, 4).map((task) => (
                <li key={task.id}>
                  <Tooltip title={task.list_name ?? undefined}>
                    <button
                      type="button"
                      className={`calendar-task${task.status === 'done' ? ' task-done-title' : ''}`}
                      onClick={(e) => {
                        e.stopPropagation();
                        openTask(task.id);
                      }}
                    >
                      {task.title}
                    </button>
                  </Tooltip>
                </li>
              ))}
              {items.length > 4 && <li className="calendar-more">{t('tasks.calendar.more', { count: items.length - 4 })}</li>}
            </ul>
          );
        }}
      />
      {phone && <DayList byDay={byDay} month={month} onOpen={openTask} />}
    </div>
  );
}

/** DayList lists the month's tasks by day under the small calendar on a phone. */
function DayList({ byDay, month, onOpen }: { byDay: Map<string, Task[]>; month: Dayjs; onOpen: (id: string) => void }) {
  const prefix = month.format('YYYY-MM');
  const days = [...byDay.keys()].filter((d) => d.startsWith(prefix)).sort();
  return (
    <div className="calendar-day-list">
      {days.map((d) => (
        <section key={d}>
          <h3>{d}</h3>
          <Space direction="vertical" size={0}>
            {byDay.get(d)!.map((task) => (
              <button key={task.id} type="button" className="calendar-task" onClick={() => onOpen(task.id)}>
                {task.title}
              </button>
            ))}
          </Space>
        </section>
      ))}
    </div>
  );
}
