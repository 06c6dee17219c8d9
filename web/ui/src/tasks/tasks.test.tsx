import { QueryClient } from '@tanstack/react-query';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { applyEvent } from '../notifications/useLiveEvents';
import { orgPath } from '../test/directoryData';
import { apiError, fakeApi, json, me, type Handler } from '../test/fakeApi';
import { location, renderAt } from '../test/render';
import type { Task, TaskList } from './api';
import { completeTask } from './complete';
import { taskKeys } from './keys';
import { mentionIDs } from './mentions';

const ME = '00000000-0000-4000-8000-000000000001';
const ORG = '00000000-0000-4000-8000-000000000100';

const list: TaskList = {
  id: 'L1',
  name: 'Launch',
  description: '',
  owner_kind: 'group',
  owner_id: 'g1',
  owner_name: 'Marketing',
  level: 'write',
  archived: false,
  created_by: { id: ME, name: 'Li Na' },
  created_at: '2025-03-01T00:00:00Z',
  updated_at: '2025-03-01T00:00:00Z',
  sections: [
    { id: 's-todo', name: 'To do', rank: 'a' },
    { id: 's-done', name: 'Done', rank: 'b' },
  ],
  labels: [],
  open_count: 2,
  done_count: 0,
};

const task = (id: string, over: Partial<Task> = {}): Task => ({
  id,
  list_id: 'L1',
  list_name: 'Launch',
  section_id: 's-todo',
  parent_id: null,
  depth: 0,
  title: id,
  description: '',
  description_html: '',
  priority: 0,
  status: 'open',
  creator: { id: ME, name: 'Li Na' },
  created_at: '2025-03-01T00:00:00Z',
  updated_at: '2025-03-01T00:00:00Z',
  due_at: null,
  all_day: false,
  due_tz: '',
  rrule: '',
  rank: 'a',
  assignees: [],
  followers: [],
  labels: [],
  subtask_total: 0,
  subtask_done: 0,
  blocked_by: [],
  level: 'write',
  ...over,
});

const empty = () => json(200, { items: [], total: 0 });

function routes(tasks: Record<string, Task>, extra: Record<string, Handler> = {}, locale: 'en' | 'zh-CN' = 'en') {
  const byTask: Record<string, Handler> = {};
  for (const [id, t] of Object.entries(tasks)) {
    byTask[`GET ${orgPath}/tasks/${id}`] = () => json(200, t);
    for (const sub of ['subtasks', 'comments', 'activity', 'blocking', 'shares']) byTask[`GET ${orgPath}/tasks/${id}/${sub}`] = empty;
    byTask[`GET ${orgPath}/tasks/${id}/attachments`] = () => json(200, { items: [], total: 0, space_id: 'sp-g1' });
    byTask[`GET ${orgPath}/tasks/${id}/reminders`] = () => json(200, { offsets_minutes: [] });
  }
  return fakeApi({
    'GET /api/v1/me': () => json(200, me({ role: 'member', locale })),
    [`GET ${orgPath}/tasklists`]: () => json(200, { items: [list], total: 1 }),
    [`GET ${orgPath}/tasklists/L1`]: () => json(200, list),
    [`GET ${orgPath}/tasklists/L1/tasks`]: () => json(200, { items: Object.values(tasks).filter((t) => !t.parent_id), total: Object.keys(tasks).length }),
    [`GET ${orgPath}/me/tasks`]: empty,
    ...byTask,
    ...extra,
  });
}

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('completing a task', () => {
  it('asks before completing a blocked task, then completes it with force', async () => {
    const { calls } = fakeApi({
      [`POST ${orgPath}/tasks/t1/complete`]: (_req, body) =>
        (body as { force?: boolean } | undefined)?.force
          ? json(200, { task: task('t1', { status: 'done' }) })
          : apiError(409, 'task_blocked', 'blocked by open tasks: Write copy'),
    });
    const confirm = vi.fn(async () => true);
    const done = await completeTask(ORG, 't1', confirm);
    expect(confirm).toHaveBeenCalledWith('blocked by open tasks: Write copy');
    expect(done?.task.status).toBe('done');
    expect(calls.map((c) => c.body)).toEqual([{}, { force: true }]);
  });

  it('leaves a blocked task open when the user says no, and passes other errors on', async () => {
    const { calls } = fakeApi({
      [`POST ${orgPath}/tasks/t1/complete`]: () => apiError(409, 'task_blocked', 'blocked'),
      [`POST ${orgPath}/tasks/t2/complete`]: () => apiError(403, 'forbidden', 'no'),
    });
    expect(await completeTask(ORG, 't1', async () => false)).toBeUndefined();
    expect(calls).toHaveLength(1);
    await expect(completeTask(ORG, 't2', async () => true)).rejects.toMatchObject({ status: 403 });
    expect(calls).toHaveLength(2);
  });

  it('in the drawer: warns about the blocker, completes on confirmation, and opens the next occurrence', async () => {
    const blocked = task('t-week', {
      title: 'Weekly report',
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
      due_at: '2025-03-10T01:00:00Z',
      due_tz: 'Asia/Shanghai',
      blocked_by: [{ id: 'b1', title: 'Collect numbers', status: 'open' }],
    });
    const next = task('t-week2', { title: 'Weekly report', rrule: 'FREQ=WEEKLY;BYDAY=MO', due_at: '2025-03-17T01:00:00Z', due_tz: 'Asia/Shanghai' });
    const { calls } = routes(
      { [blocked.id]: blocked, [next.id]: next },
      {
        [`POST ${orgPath}/tasks/${encodeURIComponent(blocked.id)}/complete`]: (_req, body) =>
          (body as { force?: boolean } | undefined)?.force
            ? json(200, { task: { ...blocked, status: 'done' }, next })
            : apiError(409, 'task_blocked', 'It is blocked by an open task: Collect numbers'),
      },
    );
    renderAt(`/tasks?task=${encodeURIComponent(blocked.id)}`);
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    const drawer = await screen.findByTestId('task-drawer-body');
    // The blocker is shown, and the rule in plain words.
    expect(await within(drawer).findByTestId('blocker-Collect numbers')).toBeInTheDocument();
    expect(within(drawer).getByTestId('recurrence-summary')).toHaveTextContent('Every week on Monday');
    await user.click(within(drawer).getByTestId('complete-button'));
    const confirm = (await screen.findAllByText('This task is still blocked'))[0].closest<HTMLElement>('.ant-modal')!;
    expect(within(confirm).getByText('It is blocked by an open task: Collect numbers')).toBeInTheDocument();
    await user.click(within(confirm).getByRole('button', { name: 'Complete anyway' }));
    expect(await screen.findByText('Next occurrence created')).toBeInTheDocument();
    await waitFor(() => expect(location()).toBe(`/tasks?task=${encodeURIComponent(next.id)}`));
    const completes = calls.filter((c) => c.method === 'POST' && c.path.endsWith('/complete'));
    expect(completes.map((c) => c.body)).toEqual([{}, { force: true }]);
  });
});

describe('the recurrence editor', () => {
  it('sets a weekly rule on the due date’s weekday and saves it as an RRULE, in Chinese too', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    // Monday 10 March 2025, 09:00 in Shanghai.
    const t1 = task('t1', { due_at: '2025-03-10T01:00:00Z', due_tz: 'Asia/Shanghai' });
    const { calls } = routes(
      { t1 },
      { [`PATCH ${orgPath}/tasks/t1`]: (_req, body) => json(200, { ...t1, ...(body as object) }) },
      'zh-CN',
    );
    renderAt('/tasks?task=t1');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    const editor = await screen.findByTestId('recurrence-editor');
    expect(within(editor).getByTestId('recurrence-summary')).toHaveTextContent('不重复');
    await user.click(within(editor).getByRole('combobox', { name: '重复' }));
    await user.click(await screen.findByText('每周', { selector: '.ant-select-item-option-content' }));
    expect(within(editor).getByTestId('recurrence-summary')).toHaveTextContent('每周一');
    await user.click(within(editor).getByRole('checkbox', { name: '周三' }));
    expect(within(editor).getByTestId('recurrence-summary')).toHaveTextContent('每周一、三');
    await user.click(within(editor).getByTestId('recurrence-save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ rrule: 'FREQ=WEEKLY;BYDAY=MO,WE' });
  });
});

describe('comments', () => {
  it('sends the ids of the members picked from the @ autocomplete and still named', async () => {
    const t1 = task('t1');
    const { calls } = routes(
      { t1 },
      {
        [`GET ${orgPath}/members`]: () =>
          json(200, {
            items: [{ user_id: 'u-lilei', email: 'li.lei@example.com', display_name: 'Li Lei', role: 'member', status: 'active', joined_at: '2025-01-01T00:00:00Z', activation_pending: false }],
            total: 1,
          }),
        [`POST ${orgPath}/tasks/t1/comments`]: (_req, body) =>
          json(201, { id: 'c1', author: { id: ME, name: 'Li Na' }, body: (body as { body: string }).body, body_html: '<p>ok</p>', mentions: [], created_at: '2025-03-10T00:00:00Z' }),
      },
    );
    renderAt('/tasks?task=t1');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    const box = await screen.findByRole('textbox', { name: 'Comment' });
    await user.type(box, '@Li');
    await user.click(await screen.findByTestId('mention-option-Li Lei'));
    await user.type(box, 'please check');
    await user.click(screen.getByTestId('comment-submit'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/comments'))).toBe(true));
    const post = calls.find((c) => c.method === 'POST' && c.path.endsWith('/comments'))!;
    expect(post.body).toEqual({ body: '@Li Lei please check', mention_ids: ['u-lilei'] });
  });

  it('mentionIDs keeps the picked members still named in the text, each once', () => {
    const picked = [
      { id: 'a', name: 'Li Lei' },
      { id: 'b', name: '张伟' },
      { id: 'a', name: 'Li Lei' },
    ];
    expect(mentionIDs('@Li Lei and @张伟, @Li Lei again', picked)).toEqual(['a', 'b']);
    expect(mentionIDs('@张伟 only', picked)).toEqual(['b']);
    expect(mentionIDs('nobody', picked)).toEqual([]);
  });
});

describe('My tasks', () => {
  it('groups my tasks by when they are due, with counts, and opens one in the drawer', async () => {
    const overdue = task('t-invoice', { title: 'Send invoice', due_at: '2020-01-01T00:00:00Z', bucket: 'overdue', subtask_total: 5, subtask_done: 3 });
    const later = task('Plan offsite', { due_at: '2099-01-01T00:00:00Z', bucket: 'later', blocked_by: [{ id: 'x', title: 'Budget', status: 'open' }] });
    const none = task('Read book', { bucket: 'no_date' });
    const { calls } = routes({ [overdue.id]: overdue }, { [`GET ${orgPath}/me/tasks`]: () => json(200, { items: [overdue, later, none], total: 3 }) });
    renderAt('/tasks');
    const overdueGroup = await screen.findByTestId('bucket-overdue');
    expect(within(overdueGroup).getByRole('heading', { name: 'Overdue 1' })).toBeInTheDocument();
    expect(within(overdueGroup).getByText('3/5')).toBeInTheDocument();
    expect(within(screen.getByTestId('bucket-later')).getByText('Blocked by Budget')).toBeInTheDocument();
    expect(screen.getByTestId('bucket-no_date')).toBeInTheDocument();
    expect(screen.queryByTestId('bucket-today')).toBeNull();
    expect(screen.getByText('3 tasks')).toBeInTheDocument();
    expect(calls.find((c) => c.path.startsWith(`${orgPath}/me/tasks`))!.path).toContain('view=assigned');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(within(overdueGroup).getByRole('button', { name: 'Send invoice' }));
    await waitFor(() => expect(location()).toBe('/tasks?task=t-invoice'));
    expect(await screen.findByTestId('task-drawer-body')).toBeInTheDocument();
  });
});

describe('a list', () => {
  it('shows its sections as board columns with their cards', async () => {
    routes({ a: task('Write copy'), b: task('Ship', { section_id: 's-done', subtask_total: 2, subtask_done: 1 }) });
    renderAt('/tasks/lists/L1');
    const todo = await screen.findByTestId('column-To do');
    expect(await within(todo).findByTestId('card-Write copy')).toBeInTheDocument();
    expect(within(screen.getByTestId('column-Done')).getByTestId('card-Ship')).toHaveTextContent('1/2');
  });
});

describe('live boards', () => {
  it('a tasks.board_changed event makes the list, the tasks and my tasks stale', () => {
    const client = new QueryClient();
    const board = [...taskKeys.list(ORG, 'L1'), 'tasks', {}];
    const other = [...taskKeys.list(ORG, 'L2'), 'tasks', {}];
    const detail = [...taskKeys.task(ORG, 't1'), 'detail'];
    const mine = [...taskKeys.mine(ORG), {}];
    for (const key of [board, other, detail, mine]) client.setQueryData(key, { items: [] });
    applyEvent(client, {
      id: 1,
      type: 'tasks.board_changed',
      org_id: ORG,
      subject_type: 'task',
      subject_id: 't1',
      payload: { list_id: 'L1', task_id: 't1', op: 'moved' },
      created_at: '2025-03-10T00:00:00Z',
    });
    const stale = (key: unknown[]) => client.getQueryState(key)?.isInvalidated;
    expect(stale(board)).toBe(true);
    expect(stale(detail)).toBe(true);
    expect(stale(mine)).toBe(true);
    expect(stale(other)).toBe(false);
  });
});
