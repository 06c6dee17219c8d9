import { CheckOutlined, DeleteOutlined, EditOutlined, MoreOutlined, ShareAltOutlined, UndoOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, DatePicker, Divider, Drawer, Dropdown, Form, Input, Select, Space, Switch, Tabs, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useMe } from '../api/queries';
import { PageError, PageLoading } from '../components/PageState';
import { browserTimeZone } from '../lib/format';
import { useFormat } from '../lib/hooks';
import { useIsMobile } from '../lib/useMediaQuery';
import { Activity } from './Activity';
import { levelAtLeast, tasksApi, useTask, useTaskList, type PersonRef, type Task, type TaskPatch } from './api';
import { Attachments } from './Attachments';
import { Comments } from './Comments';
import { useCompleteTask, useReopenTask } from './complete';
import { allDayInstant, dateInZone, ymdString } from './dates';
import { Dependencies } from './Dependencies';
import { taskKeys } from './keys';
import { PeopleSelect } from './PeopleSelect';
import { RecurrenceEditor } from './RecurrenceEditor';
import { Reminders } from './Reminders';
import { TaskShareDialog } from './ShareDialogs';
import { priorityLabel, tasksErrorText, useOpenTask, useTasksRefresh } from './shared';
import { Subtasks } from './Subtasks';

/** pickerValue is a task date as a date picker shows it: an all-day date as that date, a time as the browser's. */
export function pickerValue(iso: string | null | undefined, allDay: boolean, timeZone: string): Dayjs | null {
  if (!iso) return null;
  return allDay ? dayjs(ymdString(dateInZone(iso, timeZone || browserTimeZone()))) : dayjs(iso);
}

/** sentValue is a picked date as the API takes it: all day, the date's midnight in the zone; else the instant. */
export function sentValue(d: Dayjs, allDay: boolean, timeZone: string): string {
  return allDay ? allDayInstant({ y: d.year(), m: d.month() + 1, d: d.date() }, timeZone) : d.toISOString();
}

const LABEL_COLORS = ['#1677ff', '#52c41a', '#fa8c16', '#eb2f96', '#722ed1', '#13c2c2', '#f5222d', '#8c8c8c'];

/** TaskDrawer shows and edits one task: every field, subtasks, dependencies, repeat, reminders, files, comments and history. */
export function TaskDrawer({ orgID, taskID, onClose }: { orgID: string; taskID: string; onClose: () => void }) {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const task = useTask(orgID, taskID);
  return (
    <Drawer
      open
      onClose={onClose}
      width={mobile ? '100%' : 680}
      title={task.data ? <span className="task-drawer-list">{task.data.list_name ?? t('tasks.drawer.sharedTask')}</span> : t('tasks.drawer.title')}
      destroyOnHidden
      data-testid="task-drawer"
      rootClassName="task-drawer"
      aria-label={t('tasks.drawer.title')}
    >
      <div data-testid="task-drawer-body">
        {task.isPending ? (
          <PageLoading />
        ) : task.isError ? (
          <PageError error={task.error} onRetry={() => task.refetch()} />
        ) : (
          <TaskDetail orgID={orgID} task={task.data} onClose={onClose} />
        )}
      </div>
    </Drawer>
  );
}

function TaskDetail({ orgID, task, onClose }: { orgID: string; task: Task; onClose: () => void }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const format = useFormat();
  const me = useMe();
  const list = useTaskList(orgID, task.list_name !== null ? task.list_id : undefined);
  const refresh = useTasksRefresh(orgID);
  const complete = useCompleteTask(orgID);
  const reopen = useReopenTask(orgID);
  const openTask = useOpenTask();
  const writable = levelAtLeast(task.level, 'write');
  const manager = levelAtLeast(task.level, 'manage');
  const mayDelete = manager || task.creator.id === me.data?.user.id;
  const [title, setTitle] = useState(task.title);
  const [editingDescription, setEditingDescription] = useState(false);
  const [description, setDescription] = useState(task.description);
  const [saving, setSaving] = useState<string>();
  const [sharing, setSharing] = useState(false);
  const [newLabel, setNewLabel] = useState('');
  useEffect(() => setTitle(task.title), [task.title]);
  useEffect(() => {
    if (!editingDescription) setDescription(task.description);
  }, [task.description, editingDescription]);
  const zone = task.due_tz || format.timeZone;
  // The server keeps all_day only with a date: on an undated task the switch is remembered here
  // and goes with the first date picked (else it would flip back at once).
  const undated = !task.start_at && !task.due_at;
  const [allDayChoice, setAllDayChoice] = useState(task.all_day);
  const allDayShown = undated ? allDayChoice : task.all_day;

  const patch = async (field: string, body: TaskPatch) => {
    setSaving(field);
    try {
      const saved = await tasksApi.updateTask(orgID, task.id, body);
      queryClient.setQueryData([...taskKeys.task(orgID, task.id), 'detail'], saved);
      void refresh();
      return true;
    } catch (err) {
      message.error(tasksErrorText(t, err));
      return false;
    } finally {
      setSaving(undefined);
    }
  };

  const saveTitle = () => {
    const next = title.trim();
    if (!next) setTitle(task.title);
    else if (next !== task.title) void patch('title', { title: next });
  };

  const setDate = (which: 'start_at' | 'due_at', d: Dayjs | null) => {
    const tz = format.timeZone;
    const body: TaskPatch = { [which]: d ? sentValue(d, allDayShown, tz) : null };
    if (d) {
      body.due_tz = tz;
      body.all_day = allDayShown;
      // The other date moves into the new zone unchanged as shown.
      const other = which === 'due_at' ? task.start_at : task.due_at;
      const shown = pickerValue(other, allDayShown, zone);
      if (other && shown) body[which === 'due_at' ? 'start_at' : 'due_at'] = sentValue(shown, allDayShown, tz);
    }
    void patch(which, body);
  };

  const setAllDay = (allDay: boolean) => {
    if (undated) {
      setAllDayChoice(allDay);
      return;
    }
    const tz = format.timeZone;
    const body: TaskPatch = { all_day: allDay };
    // The dates keep the day they show; a day becomes 09:00 on it when it gets a time.
    for (const which of ['start_at', 'due_at'] as const) {
      const shown = pickerValue(task[which], task.all_day, zone);
      if (shown) {
        body[which] = sentValue(allDay ? shown : shown.hour(9).minute(0), allDay, tz);
        body.due_tz = tz;
      }
    }
    void patch('all_day', body);
  };

  const moveToSection = async (sectionID: string) => {
    try {
      await tasksApi.move(orgID, task.id, { section_id: sectionID, after_id: null });
      await refresh();
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };

  const addLabel = async () => {
    const name = newLabel.trim();
    if (!name || !list.data) return;
    try {
      const label = await tasksApi.addLabel(orgID, task.list_id, name, LABEL_COLORS[list.data.labels.length % LABEL_COLORS.length]);
      setNewLabel('');
      await patch('labels', { label_ids: [...task.labels.map((l) => l.id), label.id] });
    } catch (err) {
      message.error(tasksErrorText(t, err));
    }
  };

  const remove = () =>
    modal.confirm({
      title: t('tasks.deleteTitle', { title: task.title }),
      content: t('tasks.deleteText'),
      okText: t('tasks.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await tasksApi.deleteTask(orgID, task.id);
          message.success(t('tasks.deleted'));
          onClose();
          await refresh();
        } catch (err) {
          message.error(tasksErrorText(t, err));
        }
      },
    });

  const people = (field: 'assignee_ids' | 'follower_ids') => (v: PersonRef[]) => void patch(field, { [field]: v.map((p) => p.id) });
  const labels = list.data?.labels ?? task.labels;

  return (
    <div className="task-detail">
      {task.parent_id && (
        <Button type="link" size="small" className="task-parent-link" onClick={() => openTask(task.parent_id!)}>
          {t('tasks.drawer.parent')}
        </Button>
      )}
      <div className="task-detail-head">
        <Input.TextArea
          className="task-title-input"
          aria-label={t('tasks.fields.title')}
          data-testid="task-title"
          autoSize
          variant="borderless"
          value={title}
          maxLength={500}
          readOnly={!writable}
          onChange={(e) => setTitle(e.target.value)}
          onBlur={saveTitle}
          onPressEnter={(e) => {
            e.preventDefault();
            saveTitle();
          }}
        />
        <Space wrap>
          {task.status === 'open' ? (
            <Button type="primary" icon={<CheckOutlined />} disabled={!writable} data-testid="complete-button" onClick={() => void complete(task.id)}>
              {t('tasks.complete.button')}
            </Button>
          ) : (
            <Button icon={<UndoOutlined />} disabled={!writable} data-testid="reopen-button" onClick={() => void reopen(task.id)}>
              {t('tasks.reopen')}
            </Button>
          )}
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'share', icon: <ShareAltOutlined />, label: t('tasks.share.task'), disabled: !writable, onClick: () => setSharing(true) },
                { key: 'delete', icon: <DeleteOutlined />, label: t('tasks.delete'), danger: true, disabled: !mayDelete, onClick: remove },
              ],
            }}
          >
            <Button icon={<MoreOutlined />} aria-label={t('tasks.drawer.more')} data-testid="task-actions" />
          </Dropdown>
        </Space>
      </div>
      <Space wrap size="small" className="task-meta">
        {task.status === 'done' && (
          <Tag color="green">{task.completed_by ? t('tasks.drawer.completedBy', { name: task.completed_by.name, date: format.dateTime(task.completed_at) }) : t('tasks.status.done')}</Tag>
        )}
        {task.list_name !== null && <Link to={`/tasks/lists/${task.list_id}`}>{task.list_name}</Link>}
        <Typography.Text type="secondary">{t('tasks.drawer.createdBy', { name: task.creator.name, date: format.dateTime(task.created_at) })}</Typography.Text>
      </Space>

      <Form layout="vertical" className="task-fields" disabled={!writable} component="div">
        {list.data && (
          <Form.Item label={t('tasks.fields.section')}>
            <Select
              aria-label={t('tasks.fields.section')}
              data-testid="task-section"
              value={task.section_id}
              onChange={(v) => void moveToSection(v)}
              options={list.data.sections.map((s) => ({ value: s.id, label: s.name }))}
            />
          </Form.Item>
        )}
        <div className="task-fields-grid">
          <Form.Item label={t('tasks.fields.assignees')}>
            <PeopleSelect aria-label={t('tasks.fields.assignees')} data-testid="task-assignees" value={task.assignees} onChange={people('assignee_ids')} disabled={!writable} />
          </Form.Item>
          <Form.Item label={t('tasks.fields.followers')}>
            <PeopleSelect aria-label={t('tasks.fields.followers')} data-testid="task-followers" value={task.followers} onChange={people('follower_ids')} disabled={!writable} />
          </Form.Item>
          <Form.Item label={t('tasks.fields.priority')}>
            <Select
              aria-label={t('tasks.fields.priority')}
              value={task.priority}
              onChange={(p) => void patch('priority', { priority: p })}
              options={[0, 1, 2, 3].map((p) => ({ value: p, label: priorityLabel(t, p) }))}
            />
          </Form.Item>
          <Form.Item label={t('tasks.fields.labels')}>
            <Select
              mode="multiple"
              aria-label={t('tasks.fields.labels')}
              value={task.labels.map((l) => l.id)}
              onChange={(ids: string[]) => void patch('labels', { label_ids: ids })}
              options={labels.map((l) => ({ value: l.id, label: <Tag color={l.color}>{l.name}</Tag> }))}
              optionFilterProp="title"
              popupRender={(menu) => (
                <>
                  {menu}
                  {list.data && (
                    <>
                      <Divider style={{ margin: '4px 0' }} />
                      <Space.Compact className="full-width" style={{ padding: 4 }}>
                        <Input
                          aria-label={t('tasks.labels.new')}
                          placeholder={t('tasks.labels.new')}
                          value={newLabel}
                          maxLength={50}
                          onChange={(e) => setNewLabel(e.target.value)}
                          onKeyDown={(e) => e.stopPropagation()}
                        />
                        <Button onClick={() => void addLabel()} disabled={!newLabel.trim()}>
                          {t('tasks.labels.add')}
                        </Button>
                      </Space.Compact>
                    </>
                  )}
                </>
              )}
            />
          </Form.Item>
          <Form.Item label={t('tasks.fields.start')}>
            <DatePicker
              aria-label={t('tasks.fields.start')}
              className="full-width"
              showTime={allDayShown ? false : { format: 'HH:mm' }}
              value={pickerValue(task.start_at, allDayShown, zone)}
              onChange={(d) => setDate('start_at', d)}
            />
          </Form.Item>
          <Form.Item label={t('tasks.fields.due')}>
            <DatePicker
              aria-label={t('tasks.fields.due')}
              data-testid="task-due"
              className="full-width"
              showTime={allDayShown ? false : { format: 'HH:mm' }}
              value={pickerValue(task.due_at, allDayShown, zone)}
              onChange={(d) => setDate('due_at', d)}
            />
          </Form.Item>
        </div>
        <Form.Item label={t('tasks.fields.allDay')} extra={task.due_tz ? t('tasks.fields.zoneNote', { zone: task.due_tz }) : undefined}>
          <Switch aria-label={t('tasks.fields.allDay')} checked={allDayShown} onChange={setAllDay} loading={saving === 'all_day'} />
        </Form.Item>
        <Form.Item label={t('tasks.repeat.title')}>
          <RecurrenceEditor
            value={task.rrule}
            dueAt={task.due_at}
            timeZone={zone}
            disabled={!writable}
            saving={saving === 'rrule'}
            onSave={(rule) => void patch('rrule', { rrule: rule || null })}
          />
        </Form.Item>
        <Form.Item label={t('tasks.reminders.title')}>
          <Reminders orgID={orgID} task={task} />
        </Form.Item>
      </Form>

      <section className="task-section" aria-labelledby="description-heading">
        <h3 id="description-heading">
          {t('tasks.fields.description')}
          {writable && !editingDescription && (
            <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditingDescription(true)}>
              {t('tasks.drawer.edit')}
            </Button>
          )}
        </h3>
        {editingDescription ? (
          <>
            <Input.TextArea
              aria-label={t('tasks.fields.description')}
              data-testid="task-description"
              autoSize={{ minRows: 4, maxRows: 16 }}
              value={description}
              maxLength={65536}
              onChange={(e) => setDescription(e.target.value)}
            />
            <Typography.Text type="secondary">{t('tasks.drawer.markdown')}</Typography.Text>
            <Space className="form-actions">
              <Button
                type="primary"
                loading={saving === 'description'}
                onClick={async () => {
                  if (await patch('description', { description })) setEditingDescription(false);
                }}
              >
                {t('common.save')}
              </Button>
              <Button
                onClick={() => {
                  setDescription(task.description);
                  setEditingDescription(false);
                }}
              >
                {t('common.cancel')}
              </Button>
            </Space>
          </>
        ) : task.description_html ? (
          // The server renders the Markdown and sanitises it (bluemonday); nothing else is inserted as HTML.
          <div className="markdown" data-testid="task-description-html" dangerouslySetInnerHTML={{ __html: task.description_html }} />
        ) : (
          <Typography.Text type="secondary">{t('tasks.drawer.noDescription')}</Typography.Text>
        )}
      </section>

      <Subtasks orgID={orgID} task={task} writable={writable} />
      <Dependencies orgID={orgID} task={task} writable={writable} />
      <Attachments orgID={orgID} task={task} writable={writable} />

      <Tabs
        className="task-tabs"
        items={[
          { key: 'comments', label: t('tasks.comments.title'), children: <Comments orgID={orgID} task={task} manager={manager} /> },
          { key: 'history', label: t('tasks.activity.title'), children: <Activity orgID={orgID} taskID={task.id} /> },
        ]}
      />
      {sharing && <TaskShareDialog orgID={orgID} taskID={task.id} title={task.title} onClose={() => setSharing(false)} />}
    </div>
  );
}
