import { CheckCircleFilled, LockOutlined, RetweetOutlined } from '@ant-design/icons';
import { Avatar, Checkbox, Tag, Tooltip } from 'antd';
import type { HTMLAttributes, Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { initial } from '../directory/people';
import type { Task } from './api';
import { DueTag, PriorityFlag } from './shared';

/** openBlockers are the tasks a task still waits for. */
export const openBlockers = (task: Task) => task.blocked_by.filter((b) => b.status === 'open');

/** TaskBadges are what a card or row shows under the title: due, subtasks, blocker, repeat, labels, people. */
export function TaskBadges({ task }: { task: Task }) {
  const { t } = useTranslation();
  const blockers = openBlockers(task);
  return (
    <div className="task-badges">
      <DueTag task={task} />
      {task.subtask_total > 0 && (
        <Tag className="task-subtasks" aria-label={t('tasks.card.subtasks', { done: task.subtask_done, total: task.subtask_total })}>
          <CheckCircleFilled aria-hidden /> {task.subtask_done}/{task.subtask_total}
        </Tag>
      )}
      {blockers.length > 0 && (
        <Tag color="orange" className="task-blocked" data-testid="card-blocked">
          <LockOutlined aria-hidden />{' '}
          {blockers.length === 1 ? t('tasks.card.blockedBy', { title: blockers[0].title }) : t('tasks.card.blockedByMany', { title: blockers[0].title, count: blockers.length - 1 })}
        </Tag>
      )}
      {task.rrule && (
        <Tooltip title={t('tasks.card.repeats')}>
          <RetweetOutlined aria-label={t('tasks.card.repeats')} role="img" />
        </Tooltip>
      )}
      {task.labels.map((l) => (
        <Tag key={l.id} color={l.color}>
          {l.name}
        </Tag>
      ))}
      <PriorityFlag priority={task.priority} />
      {task.assignees.length > 0 && (
        <Avatar.Group max={{ count: 3 }} size="small" className="task-assignees">
          {task.assignees.map((p) => (
            <Tooltip key={p.id} title={p.name}>
              <Avatar size="small" className="person-avatar" aria-label={p.name}>
                {initial(p.name)}
              </Avatar>
            </Tooltip>
          ))}
        </Avatar.Group>
      )}
    </div>
  );
}

interface CardProps extends HTMLAttributes<HTMLDivElement> {
  task: Task;
  onOpen: (task: Task) => void;
  dragging?: boolean;
  cardRef?: Ref<HTMLDivElement>;
}

/**
 * TaskCard is a task on the board. The whole card is one control: a click or Enter opens it; on
 * a board one may write to, it is also what is dragged (Space picks it up with the keyboard).
 */
export function TaskCard({ task, onOpen, dragging, cardRef, className, onKeyDown, ...rest }: CardProps) {
  return (
    <div
      ref={cardRef}
      role="button"
      tabIndex={0}
      data-testid={`card-${task.title}`}
      className={`task-card${task.status === 'done' ? ' task-card-done' : ''}${dragging ? ' task-card-dragging' : ''}${className ? ` ${className}` : ''}`}
      onClick={() => onOpen(task)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          onOpen(task);
          return;
        }
        onKeyDown?.(e);
      }}
      {...rest}
    >
      <span className="task-card-title">{task.title}</span>
      <TaskBadges task={task} />
    </div>
  );
}

/** TaskRow is a task in a list: a box to complete it, its title (which opens it) and its badges. */
export function TaskRow({
  task,
  onOpen,
  onToggle,
  writable,
  showList,
}: {
  task: Task;
  onOpen: (task: Task) => void;
  onToggle: (task: Task, done: boolean) => void;
  writable: boolean;
  showList?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <li className={`task-row${task.status === 'done' ? ' task-row-done' : ''}`} data-testid={`row-${task.title}`}>
      <Checkbox
        checked={task.status === 'done'}
        disabled={!writable}
        aria-label={task.status === 'done' ? t('tasks.reopenNamed', { title: task.title }) : t('tasks.completeNamed', { title: task.title })}
        onChange={(e) => onToggle(task, e.target.checked)}
      />
      <div className="task-row-main">
        <button type="button" className="task-row-title" onClick={() => onOpen(task)}>
          {task.title}
        </button>
        {showList && task.list_name && <span className="task-row-list">{task.list_name}</span>}
        <TaskBadges task={task} />
      </div>
    </li>
  );
}
