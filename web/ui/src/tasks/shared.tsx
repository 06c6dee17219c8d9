import { FlagFilled } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Tag, Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError } from '../api/client';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import type { OwnerKind, Task, TaskBucket } from './api';
import { bucketOf } from './buckets';
import { taskKeys } from './keys';

/** useOpenTask opens a task in the drawer (through ?task=, which notification links use too), or closes it. */
export function useOpenTask() {
  const [, setParams] = useSearchParams();
  return useCallback(
    (taskID: string | undefined) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (taskID) next.set('task', taskID);
          else next.delete('task');
          return next;
        },
        { replace: false },
      ),
    [setParams],
  );
}

/**
 * useTasksRefresh refetches what a change may have touched. Every tasks query is marked stale;
 * only those on screen refetch, which is what the board, the drawer and the views need.
 */
export function useTasksRefresh(orgID: string) {
  const queryClient = useQueryClient();
  return useCallback(() => queryClient.invalidateQueries({ queryKey: taskKeys.all(orgID) }), [queryClient, orgID]);
}

/** tasksErrorText is what to tell the user about a failed tasks call. */
export function tasksErrorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'dependency_cycle':
        return t('tasks.errors.dependencyCycle');
      case 'last_section':
        return t('tasks.errors.lastSection');
      case 'restore_expired':
        return t('tasks.errors.restoreExpired');
      case 'too_deep':
        return t('tasks.errors.tooDeep');
      case 'mention_no_access':
        return t('tasks.errors.mentionNoAccess');
      case 'rrule_too_frequent':
        return t('tasks.errors.rruleTooFrequent');
      case 'rrule_count_too_large':
        return t('tasks.errors.rruleCountTooLarge');
      case 'invalid_rrule':
        return t('tasks.errors.invalidRrule');
    }
  }
  return errorText(t, err);
}

/** bucketLabel names a group of "My tasks". */
export function bucketLabel(t: TFunction, b: TaskBucket): string {
  switch (b) {
    case 'overdue':
      return t('tasks.bucket.overdue');
    case 'today':
      return t('tasks.bucket.today');
    case 'next_7_days':
      return t('tasks.bucket.next7');
    case 'later':
      return t('tasks.bucket.later');
    case 'no_date':
      return t('tasks.bucket.noDate');
  }
}

/** priorityLabel names a priority, 0 to 3. */
export function priorityLabel(t: TFunction, p: number): string {
  switch (p) {
    case 3:
      return t('tasks.priority.high');
    case 2:
      return t('tasks.priority.medium');
    case 1:
      return t('tasks.priority.low');
    default:
      return t('tasks.priority.none');
  }
}

/** ownerKindLabel names the kind of a list's owner. */
export function ownerKindLabel(t: TFunction, k: OwnerKind): string {
  switch (k) {
    case 'person':
      return t('tasks.owner.person');
    case 'group':
      return t('tasks.owner.group');
    case 'department':
      return t('tasks.owner.department');
    case 'organisation':
      return t('tasks.owner.organisation');
  }
}

/** roleLabel names a share's role. */
export function shareRoleLabel(t: TFunction, role: 'viewer' | 'editor' | 'manager'): string {
  switch (role) {
    case 'viewer':
      return t('tasks.share.viewer');
    case 'editor':
      return t('tasks.share.editor');
    case 'manager':
      return t('tasks.share.manager');
  }
}

const PRIORITY_COLORS = ['', '#1677ff', '#d48806', '#cf1322'];

/** PriorityFlag marks a task's priority, when it has one. */
export function PriorityFlag({ priority }: { priority: number }) {
  const { t } = useTranslation();
  if (!priority) return null;
  const label = priorityLabel(t, priority);
  return (
    <Tooltip title={label}>
      <span className="task-priority" style={{ color: PRIORITY_COLORS[priority] }} aria-label={t('tasks.priority.label', { priority: label })} role="img">
        <FlagFilled aria-hidden />
      </span>
    </Tooltip>
  );
}

/**
 * useDueText shows a due date: an all-day one as its date in the zone it was set in, a timed one
 * with its time in the user's zone.
 */
export function useDueText() {
  const format = useFormat();
  const { i18n } = useTranslation();
  return useCallback(
    (task: Pick<Task, 'due_at' | 'all_day' | 'due_tz'>) => {
      if (!task.due_at) return '';
      if (task.all_day) {
        try {
          return new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone: task.due_tz || format.timeZone }).format(new Date(task.due_at));
        } catch {
          return format.date(task.due_at);
        }
      }
      return format.dateTime(task.due_at);
    },
    [format, i18n.language],
  );
}

/** DueTag is a task's due date, red once it is overdue and still open. */
export function DueTag({ task }: { task: Pick<Task, 'due_at' | 'all_day' | 'due_tz' | 'status'> }) {
  const { t } = useTranslation();
  const dueText = useDueText();
  const format = useFormat();
  if (!task.due_at) return null;
  const overdue = task.status === 'open' && bucketOf(task, new Date(), format.timeZone) === 'overdue';
  return (
    <Tag color={overdue ? 'red' : undefined} className="task-due" aria-label={overdue ? t('tasks.card.overdue', { date: dueText(task) }) : t('tasks.card.due', { date: dueText(task) })}>
      {dueText(task)}
    </Tag>
  );
}
