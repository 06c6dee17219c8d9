import { App, Button, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { tasksApi, type Task, type TaskList, type TaskSection } from './api';
import { useCompleteTask, useReopenTask } from './complete';
import { TaskRow } from './TaskCard';
import { tasksErrorText, useTasksRefresh } from './shared';

function AddRow({ orgID, listID, section, lastID }: { orgID: string; listID: string; section: TaskSection; lastID?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const refresh = useTasksRefresh(orgID);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const add = async () => {
    const text = title.trim();
    if (!text) return;
    setBusy(true);
    try {
      await tasksApi.createTask(orgID, listID, { title: text, section_id: section.id, after_id: lastID ?? null });
      setTitle('');
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Input
      className="list-add-row"
      variant="borderless"
      aria-label={t('tasks.board.newTaskIn', { section: section.name })}
      placeholder={t('tasks.list.addPlaceholder')}
      value={title}
      maxLength={500}
      disabled={busy}
      onChange={(e) => setTitle(e.target.value)}
      onPressEnter={() => void add()}
    />
  );
}

/** ListView shows a list's tasks under its sections as headings. */
export function ListView({ orgID, list, tasks, writable, onOpen }: { orgID: string; list: TaskList; tasks: Task[]; writable: boolean; onOpen: (task: Task) => void }) {
  const { t } = useTranslation();
  const complete = useCompleteTask(orgID);
  const reopen = useReopenTask(orgID);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const toggle = (task: Task, done: boolean) => void (done ? complete(task.id, { openNext: false }) : reopen(task.id));
  return (
    <div className="task-list-view">
      {list.sections.map((s) => {
        const items = tasks.filter((task) => task.section_id === s.id);
        const closed = collapsed.has(s.id);
        return (
          <section key={s.id} className="list-section" data-testid={`section-${s.name}`} aria-label={s.name}>
            <h2 className="list-section-title">
              <Button
                type="text"
                size="small"
                aria-expanded={!closed}
                onClick={() =>
                  setCollapsed((c) => {
                    const next = new Set(c);
                    if (closed) next.delete(s.id);
                    else next.add(s.id);
                    return next;
                  })
                }
              >
                {closed ? '▸' : '▾'} {s.name}
              </Button>
              <span className="list-section-count">{t('tasks.board.count', { count: items.length })}</span>
            </h2>
            {!closed && (
              <>
                <ul className="task-rows">
                  {items.map((task) => (
                    <TaskRow key={task.id} task={task} onOpen={onOpen} onToggle={toggle} writable={writable} />
                  ))}
                </ul>
                {writable && <AddRow orgID={orgID} listID={list.id} section={s} lastID={items[items.length - 1]?.id} />}
              </>
            )}
          </section>
        );
      })}
    </div>
  );
}
