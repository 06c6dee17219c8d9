import { afterEach, describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { openHref, type Notification } from './api';

const TASK = '00000000-0000-4000-8000-00000000a001';

function taskNote(type: string): Notification {
  return {
    id: '00000000-0000-4000-8000-00000000a101',
    type,
    event_id: 3,
    subject_type: 'task',
    subject_id: TASK,
    actor_id: null,
    payload: { task_id: TASK, list_id: 'l', title: '季度报告', due_at: '2026-03-30T07:00:00Z' },
    created_at: '2026-03-30T06:00:00Z',
    read_at: null,
  };
}

afterEach(() => i18n.changeLanguage('en'));

describe('task notifications', () => {
  it('open the task drawer over My tasks', () => {
    for (const type of ['tasks.task_assigned', 'tasks.task_completed', 'tasks.task_due_soon', 'tasks.task_overdue', 'tasks.comment_added', 'tasks.mentioned']) {
      expect(openHref(taskNote(type))).toBe(`/tasks?task=${TASK}`);
    }
  });

  it('read in both languages', async () => {
    const args = { actor: 'Li Lei', title: '季度报告', due: 'Mar 30, 2026', excerpt: 'please look', interpolation: { escapeValue: false } };
    expect(i18n.t('notifications.kinds.taskMentioned', args)).toBe('Li Lei mentioned you on 季度报告: please look');
    expect(i18n.t('notifications.kinds.taskDueSoon', args)).toBe('季度报告 is due Mar 30, 2026');
    expect(i18n.t('notifications.kindNames.taskOverdue')).toBe('My tasks overdue');
    await i18n.changeLanguage('zh-CN');
    expect(i18n.t('notifications.kinds.taskMentioned', { ...args, actor: '李雷' })).toBe('李雷 在任务 季度报告 中提到了你：please look');
    expect(i18n.t('notifications.kinds.taskAssigned', { ...args, actor: '李雷' })).toBe('李雷 给你分配了任务 季度报告');
    expect(i18n.t('notifications.kindNames.taskCommentAdded')).toBe('我负责、关注或创建的任务有新评论');
  });
});
