import { expect, test, type Locator, type Page } from '@playwright/test';
import { apiFor, createInvitation, join, ownerEmail, ownerPassword, pickOption, signIn, useEnglish, useLanguage, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

// The screenshots of the tasks module go with its documentation.
const docs = '../../docs/screenshots';

/** A language the test runs in, with the words it looks for on screen. */
interface Locale {
  name: string;
  menu: string;
  screenshots: boolean;
  colleague: string;
  /** What is typed after @ to find the colleague: a Chinese name by its pinyin, as people do. */
  find: string;
  group: string;
  newList: string;
  list: string;
  team: string;
  labels: [string, string];
  sections: [string, string, string];
  titles: { plan: string; venue: string; invites: string; badges: string };
  subtasks: [string, string, string];
  complete: (title: string) => string;
  allDay: string;
  due: string;
  repeat: string;
  weekly: RegExp;
  everyWeekOn: (weekday: number) => string;
  nextCreated: string;
  comment: string;
  commentText: string;
  unread: RegExp;
  mentioned: string;
}

const EN_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ZH_DAYS = ['日', '一', '二', '三', '四', '五', '六'];

const locales: Locale[] = [
  {
    name: 'English',
    menu: 'English',
    screenshots: true,
    colleague: 'Lin Wen',
    find: 'Lin',
    group: 'Group',
    newList: 'New task list',
    list: 'Launch event',
    team: 'Events team',
    labels: ['Design', 'Urgent'],
    sections: ['To do', 'Doing', 'Done'],
    titles: { plan: 'Quarterly plan', venue: 'Book the venue', invites: 'Send invitations', badges: 'Print badges' },
    subtasks: ['Draft goals', 'Review budget', 'Share with the team'],
    complete: (title) => `Complete ${title}`,
    allDay: 'All day',
    due: 'Due',
    repeat: 'Repeat',
    weekly: /^Weekly$/,
    everyWeekOn: (d) => `Every week on ${EN_DAYS[d]}`,
    nextCreated: 'Next occurrence created',
    comment: 'Comment',
    commentText: 'Can you check the budget',
    unread: /^Notifications, [1-9]\d* unread$/,
    mentioned: 'mentioned you on',
  },
  {
    name: '简体中文',
    menu: '简体中文',
    screenshots: false,
    colleague: '林文',
    find: 'linwen',
    group: '群组',
    newList: '新建任务清单',
    list: '发布会',
    team: '活动组',
    labels: ['设计', '紧急'],
    sections: ['待办', '进行中', '已完成'],
    titles: { plan: '季度计划', venue: '预订场地', invites: '发送邀请', badges: '打印胸牌' },
    subtasks: ['起草目标', '审核预算', '与团队分享'],
    complete: (title) => `完成 ${title}`,
    allDay: '全天',
    due: '截止',
    repeat: '重复',
    weekly: /^每周$/,
    everyWeekOn: (d) => `每周${ZH_DAYS[d]}`,
    nextCreated: '已创建下一次重复的任务',
    comment: '评论',
    commentText: '请看一下预算',
    unread: /^通知，[1-9]\d* 条未读$/,
    mentioned: '中提到了你',
  },
];

/** SHANGHAI is the browser's zone (playwright.config.ts), eight hours ahead of UTC all year. */
const SHANGHAI = 8 * 3600 * 1000;

/** addDays is the date `offset` days after a YYYY-MM-DD date. */
const addDays = (ymd: string, offset: number) => new Date(Date.parse(`${ymd}T00:00:00Z`) + offset * 86400_000).toISOString().slice(0, 10);

/** today is the date now in a time zone, as YYYY-MM-DD. */
const today = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/** midnight is a date's midnight in Shanghai, as the API takes an all-day date. */
const midnight = (ymd: string) => new Date(Date.parse(`${ymd}T00:00:00Z`) - SHANGHAI).toISOString();

/** weekday is a date's day of the week, 0 for Sunday. */
const weekday = (ymd: string) => new Date(`${ymd}T00:00:00Z`).getUTCDay();

/** settled waits until drawers, dialogs and messages have finished appearing, for a clean screenshot. */
async function settled(page: Page) {
  await expect(page.locator('.ant-zoom-appear, .ant-zoom-enter, .ant-zoom-leave, .ant-fade-appear, .ant-fade-enter, .ant-move-up-enter, .ant-move-up-leave')).toHaveCount(0);
  await expect(page.locator('.ant-drawer-content-wrapper[class*="-motion"]')).toHaveCount(0);
}

/**
 * drag moves a card onto a column with the mouse, as a person does: press, move a few pixels (the
 * board starts a drag only after 5), glide over the column, wait until the card shows there, release.
 */
async function drag(page: Page, card: Locator, column: Locator, testID: string) {
  const from = await card.boundingBox();
  const to = await column.locator('.board-column-cards').boundingBox();
  if (!from || !to) throw new Error('the card or the column is not on screen');
  const x = from.x + from.width / 2;
  const y = from.y + from.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 8, y + 8, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + Math.min(40, to.height / 2), { steps: 25 });
  await expect(column.getByTestId(testID)).toBeVisible();
  await page.mouse.up();
}

for (const L of locales) {
  test.describe(`tasks in ${L.name}`, () => {
    test('a group list, subtasks, a live board, a weekly repeat and a mention', async ({ browser }) => {
      const s = Date.now().toString(36);
      const listName = `${L.list} ${s}`;
      const groupName = `${L.team} ${s}`;
      const colleagueName = `${L.colleague} ${s}`;
      const { plan, venue, invites, badges } = L.titles;

      // The owner, and a colleague who joins by invitation; both in one group.
      const ownerContext = await browser.newContext();
      const owner = await ownerContext.newPage();
      const ownerProblems = watch(owner, 'owner');
      await signIn(owner, ownerEmail, ownerPassword);
      await useEnglish(owner);
      const invite = await createInvitation(owner);
      const colleague = await join(browser, invite, `lin.${s}@e2e.canopy.test`, colleagueName, 'Moss-Lin-e2e-42');
      const c = colleague.page;
      await useLanguage(owner, L.menu);
      await useLanguage(c, L.menu);

      const api = await apiFor(ownerContext);
      const base = `/api/v1/orgs/${api.orgID}`;
      const ownerMe = (await api.call('GET', '/api/v1/me')).body;
      const ownerID: string = ownerMe.user.id;
      // "My tasks" sorts by the days of the owner's own time zone (the browser's when none is set).
      const day = (offset: number) => addDays(today(ownerMe.user.time_zone || 'Asia/Shanghai'), offset);
      const colleagueID: string = ((await (await colleague.context.request.get('/api/v1/me')).json()) as { user: { id: string } }).user.id;
      const group = await api.call('POST', `/api/v1/admin/orgs/${api.orgID}/groups`, { name: groupName });
      expect(group.status).toBe(201);
      for (const [id, role] of [[ownerID, 'owner'], [colleagueID, 'member']]) {
        const put = await api.call('PUT', `/api/v1/admin/orgs/${api.orgID}/groups/${group.body.id}/members/${id}`, { role });
        expect(put.status).toBe(204);
      }

      // 1. The owner makes a list for the group in the new-list dialog.
      await owner.goto('/tasks');
      await owner.getByTestId('create-list').click();
      const dialog = owner.getByRole('dialog', { name: L.newList });
      await dialog.getByTestId('list-name').fill(listName);
      await dialog.getByTestId('list-owner-kind').getByText(L.group, { exact: true }).click();
      const groupPicker = dialog.getByRole('combobox', { name: L.group });
      await groupPicker.click();
      await groupPicker.fill(groupName);
      await pickOption(owner, groupName);
      await dialog.getByTestId('create-list-submit').click();
      await expect(dialog).toBeHidden();
      await expect(owner).toHaveURL(/\/tasks\/lists\/[0-9a-f-]{36}$/);
      await expect(owner.getByRole('heading', { name: listName, level: 1 })).toBeVisible();
      await expect(owner.getByText(groupName, { exact: true })).toBeVisible();
      const listID = owner.url().split('/').pop()!;
      const [todo, doing] = L.sections;
      const todoColumn = owner.getByTestId(`column-${todo}`);
      const doingColumn = owner.getByTestId(`column-${doing}`);
      for (const name of L.sections) await expect(owner.getByTestId(`column-${name}`)).toBeVisible();

      // 2. Tasks, added on the board.
      await todoColumn.getByTestId(`add-task-${todo}`).click();
      const newTask = todoColumn.getByTestId(`new-task-${todo}`);
      for (const title of [plan, venue, invites, badges]) {
        await newTask.fill(title);
        await newTask.press('Enter');
        await expect(todoColumn.getByTestId(`card-${title}`)).toBeVisible();
        await expect(newTask).toHaveValue('');
      }
      await newTask.press('Escape');

      // Three subtasks in the drawer; one completed shows as 1/3 on the card.
      await todoColumn.getByTestId(`card-${plan}`).click();
      const drawer = owner.getByTestId('task-drawer-body');
      await expect(drawer.getByTestId('task-title')).toHaveValue(plan);
      const subtaskInput = drawer.getByTestId('subtask-input');
      for (const title of L.subtasks) {
        await subtaskInput.fill(title);
        await subtaskInput.press('Enter');
        await expect(drawer.getByTestId(`subtask-${title}`)).toBeVisible();
        await expect(subtaskInput).toHaveValue('');
      }
      await expect(drawer.getByTestId('subtask-progress')).toHaveText('0/3');
      // The box follows the server: it is ticked once the subtask is done.
      const first = drawer.getByRole('checkbox', { name: L.complete(L.subtasks[0]) });
      await first.click();
      await expect(drawer.getByTestId(`subtask-${L.subtasks[0]}`).getByRole('checkbox')).toBeChecked();
      await expect(drawer.getByTestId('subtask-progress')).toHaveText('1/3');
      await owner.locator('.task-drawer .ant-drawer-close').click();
      await expect(drawer).toBeHidden();
      await expect(todoColumn.getByTestId(`card-${plan}`).locator('.task-subtasks')).toHaveText('1/3');

      // The rest of a realistic board through the API: labels, people, dates, a blocker.
      const all = await api.call('GET', `${base}/tasklists/${listID}/tasks?status=all`);
      const id = (title: string): string => all.body.items.find((t: { title: string }) => t.title === title).id;
      const label = async (name: string, color: string) => (await api.call('POST', `${base}/tasklists/${listID}/labels`, { name, color })).body.id as string;
      const design = await label(L.labels[0], '#1677ff');
      const urgent = await label(L.labels[1], '#f5222d');
      const dated = (offset: number) => ({ due_at: midnight(day(offset)), all_day: true, due_tz: 'Asia/Shanghai' });
      const patches: [string, object][] = [
        [plan, { label_ids: [design], assignee_ids: [ownerID], priority: 2 }],
        [venue, { assignee_ids: [ownerID], ...dated(-1) }],
        [invites, { label_ids: [urgent], assignee_ids: [colleagueID, ownerID], ...dated(0) }],
        [badges, { assignee_ids: [ownerID], priority: 3, ...dated(20) }],
      ];
      for (const [title, body] of patches) expect((await api.call('PATCH', `${base}/tasks/${id(title)}`, body)).status).toBe(200);
      expect((await api.call('POST', `${base}/tasks/${id(invites)}/dependencies`, { blocked_by_id: id(venue) })).status).toBe(201);
      await owner.reload();
      await expect(todoColumn.getByTestId(`card-${invites}`).getByTestId('card-blocked')).toContainText(venue);

      // 3. The colleague has the same board open in their own browser.
      await c.goto(`/tasks/lists/${listID}`);
      await expect(c.getByRole('heading', { name: listName, level: 1 })).toBeVisible();
      await expect(c.getByTestId(`column-${todo}`).getByTestId(`card-${plan}`)).toBeVisible();
      await expect(c.getByTestId(`column-${doing}`).getByTestId(`card-${plan}`)).toHaveCount(0);

      // The owner drags the card to the next column; it moves on the colleague's board, unreloaded.
      await drag(owner, todoColumn.getByTestId(`card-${plan}`), doingColumn, `card-${plan}`);
      await expect(doingColumn.getByTestId(`card-${plan}`)).toBeVisible();
      await expect(todoColumn.getByTestId(`card-${plan}`)).toHaveCount(0);
      await expect(owner.getByTestId('task-drawer-body')).toHaveCount(0);
      await expect(c.getByTestId(`column-${doing}`).getByTestId(`card-${plan}`)).toBeVisible({ timeout: 5_000 });
      await expect(c.getByTestId(`column-${todo}`).getByTestId(`card-${plan}`)).toHaveCount(0);
      if (L.screenshots) {
        await settled(owner);
        await owner.screenshot({ path: `${docs}/tasks-board-1280.png` });
      }

      // 4. A weekly repeat, in plain words, from an all-day due date; completing it makes the next one.
      await doingColumn.getByTestId(`card-${plan}`).click();
      await expect(drawer.getByTestId('task-title')).toHaveValue(plan);
      const firstURL = owner.url();
      await drawer.getByRole('switch', { name: L.allDay }).click();
      await expect(drawer.getByRole('switch', { name: L.allDay })).toBeChecked();
      const due = day(2);
      const next = addDays(due, 7);
      const dueField = drawer.getByRole('textbox', { name: L.due, exact: true });
      await dueField.click();
      await dueField.fill(due);
      await dueField.press('Enter');
      await expect(dueField).toHaveValue(due);
      const repeatKind = drawer.getByRole('combobox', { name: L.repeat });
      await expect(repeatKind).toBeEnabled();
      await drawer.locator('.ant-select').filter({ has: owner.getByRole('combobox', { name: L.repeat }) }).click();
      await pickOption(owner, L.weekly);
      await expect(drawer.getByTestId('recurrence-summary')).toHaveText(L.everyWeekOn(weekday(due)));
      await drawer.getByTestId('recurrence-save').click();
      await expect(drawer.getByTestId('recurrence-save')).toBeDisabled();
      await expect(drawer.getByTestId('recurrence-summary')).toHaveText(L.everyWeekOn(weekday(due)));
      await drawer.getByTestId('complete-button').click();
      await expect(owner.locator('.ant-message').getByText(L.nextCreated)).toBeVisible();
      // The drawer now shows the next occurrence: open, a week later, its subtasks open again.
      await expect(owner).not.toHaveURL(firstURL);
      await expect(drawer.getByTestId('task-title')).toHaveValue(plan);
      await expect(drawer.getByTestId('complete-button')).toBeVisible();
      await expect(drawer.getByRole('textbox', { name: L.due, exact: true })).toHaveValue(next);
      await expect(drawer.getByTestId('recurrence-summary')).toHaveText(L.everyWeekOn(weekday(next)));
      await expect(drawer.getByTestId('subtask-progress')).toHaveText('0/3');
      const nextID = new URL(owner.url()).searchParams.get('task')!;
      expect(nextID).toMatch(/^[0-9a-f-]{36}$/);
      // The board shows the one open occurrence (the done one is hidden).
      await expect(owner.getByTestId(`card-${plan}`)).toHaveCount(1);

      // 5. A comment mentioning the colleague, picked from the @ list.
      const box = drawer.getByRole('textbox', { name: L.comment, exact: true });
      await box.click();
      await box.pressSequentially(`${L.commentText} @${L.find}`);
      await owner.locator('.mention-autocomplete').getByTestId(`mention-option-${colleagueName}`).click();
      await expect(box).toHaveValue(`${L.commentText} @${colleagueName} `);
      await box.pressSequentially('?');
      await drawer.getByTestId('comment-submit').click();
      const posted = drawer.getByTestId('comment').filter({ hasText: `@${colleagueName}` });
      await expect(posted).toBeVisible();
      await expect(box).toHaveValue('');
      if (L.screenshots) {
        // The drawer is taller than a laptop's screen: show it whole.
        await owner.setViewportSize({ width: 1280, height: 1900 });
        await settled(owner);
        await owner.screenshot({ path: `${docs}/tasks-drawer-1280.png` });
        await owner.setViewportSize({ width: 1280, height: 800 });
      }

      // The colleague's bell rings (no reload), names the task, and opens it in the drawer.
      const bell = c.getByTestId('notification-bell');
      await expect(bell).toHaveAccessibleName(L.unread);
      await bell.click();
      const item = c.locator('.notification-list').getByText(L.mentioned).filter({ hasText: plan });
      await expect(item).toBeVisible();
      await item.click();
      await expect(c).toHaveURL(new RegExp(`/tasks\\?task=${nextID}$`));
      const theirDrawer = c.getByTestId('task-drawer-body');
      await expect(theirDrawer.getByTestId('task-title')).toHaveValue(plan);
      await expect(theirDrawer.getByTestId('comment').filter({ hasText: `@${colleagueName}` })).toBeVisible();

      if (L.screenshots) {
        // My tasks, grouped by when they are due.
        await owner.goto('/tasks');
        for (const bucket of ['overdue', 'today', 'later']) await expect(owner.getByTestId(`bucket-${bucket}`)).toBeVisible();
        await expect(owner.getByTestId('bucket-overdue').getByTestId(`row-${venue}`).filter({ hasText: listName })).toBeVisible();
        await expect(owner.getByTestId('bucket-today').getByTestId(`row-${invites}`).filter({ hasText: listName })).toBeVisible();
        await settled(owner);
        await owner.screenshot({ path: `${docs}/tasks-my-1280.png` });

        // The console's lists of groups and departments.
        await owner.goto('/console/tasks');
        await expect(owner.getByRole('heading', { name: 'Task lists', level: 1 })).toBeVisible();
        await expect(owner.getByRole('link', { name: listName })).toBeVisible();
        await owner.screenshot({ path: `${docs}/console-tasks-1280.png` });

        // A phone shows one column at a time, with a switcher.
        await owner.setViewportSize({ width: 390, height: 844 });
        await owner.goto(`/tasks/lists/${listID}`);
        const switcher = owner.getByTestId('column-switcher');
        await expect(switcher).toBeVisible();
        await expect(owner.getByTestId(`card-${venue}`)).toBeVisible();
        await switcher.getByText(new RegExp(`^${doing} \\(1\\)$`)).click();
        await expect(owner.getByTestId(`card-${plan}`)).toBeVisible();
        await switcher.getByText(new RegExp(`^${todo} \\(3\\)$`)).click();
        await expect(owner.getByTestId(`card-${invites}`)).toBeVisible();
        await settled(owner);
        await owner.screenshot({ path: `${docs}/tasks-board-390.png` });
        await owner.setViewportSize({ width: 1280, height: 800 });
      }

      // The owner's next tests expect English.
      await owner.goto('/messages');
      await useEnglish(owner);
      expect([...ownerProblems, ...colleague.problems]).toEqual([]);
      await colleague.context.close();
      await ownerContext.close();
    });
  });
}
