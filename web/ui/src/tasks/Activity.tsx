import { List, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../lib/hooks';
import { useActivity, type TaskActivity } from './api';

/** activityText says what one change did: "changed the title, due date". */
export function activityText(t: TFunction, a: TaskActivity): string {
  switch (a.action) {
    case 'created':
      return t('tasks.activity.created');
    case 'updated': {
      const fields = Object.keys({ ...(a.after ?? {}), ...(a.before ?? {}) });
      return fields.length ? t('tasks.activity.updatedFields', { fields: fields.map((f) => fieldName(t, f)).join(t('tasks.repeat.listSep')) }) : t('tasks.activity.updated');
    }
    case 'moved':
      return t('tasks.activity.moved');
    case 'completed':
      return t('tasks.activity.completed');
    case 'reopened':
      return t('tasks.activity.reopened');
    case 'deleted':
      return t('tasks.activity.deleted');
    case 'restored':
      return t('tasks.activity.restored');
    case 'assigned':
      return t('tasks.activity.assigned');
    case 'unassigned':
      return t('tasks.activity.unassigned');
    case 'dependency_added':
      return t('tasks.activity.dependencyAdded');
    case 'dependency_removed':
      return t('tasks.activity.dependencyRemoved');
    case 'shared':
      return t('tasks.activity.shared');
    case 'unshared':
      return t('tasks.activity.unshared');
    case 'commented':
      return t('tasks.activity.commented');
    case 'attachment_added':
      return t('tasks.activity.attachmentAdded');
    case 'attachment_removed':
      return t('tasks.activity.attachmentRemoved');
    default:
      return a.action;
  }
}

/** fieldName names a task field as the history shows it. */
function fieldName(t: TFunction, f: string): string {
  switch (f) {
    case 'title':
      return t('tasks.fields.title');
    case 'description':
      return t('tasks.fields.description');
    case 'priority':
      return t('tasks.fields.priority');
    case 'start_at':
      return t('tasks.fields.start');
    case 'due_at':
      return t('tasks.fields.due');
    case 'all_day':
      return t('tasks.fields.allDay');
    case 'due_tz':
      return t('tasks.fields.timeZone');
    case 'rrule':
      return t('tasks.repeat.title');
    case 'section_id':
      return t('tasks.fields.section');
    case 'assignee_ids':
    case 'assignees':
      return t('tasks.fields.assignees');
    case 'follower_ids':
    case 'followers':
      return t('tasks.fields.followers');
    case 'label_ids':
    case 'labels':
      return t('tasks.fields.labels');
    default:
      return f;
  }
}

/** Activity is the task's history, newest first: who changed what, and when. */
export function Activity({ orgID, taskID }: { orgID: string; taskID: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const activity = useActivity(orgID, taskID, true);
  return (
    <List
      size="small"
      loading={activity.isPending}
      dataSource={activity.data?.items ?? []}
      locale={{ emptyText: t('tasks.activity.none') }}
      renderItem={(a) => (
        <List.Item>
          <span>
            <strong>{a.actor.name}</strong> {activityText(t, a)}
            <br />
            <Typography.Text type="secondary">{format.dateTime(a.created_at)}</Typography.Text>
          </span>
        </List.Item>
      )}
    />
  );
}
