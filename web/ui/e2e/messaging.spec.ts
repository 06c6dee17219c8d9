import { expect, test, type Locator, type Page } from '@playwright/test';
import { apiFor, createInvitation, join, ownerEmail, ownerPassword, pickOption, signIn, useEnglish, useLanguage, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

// The screenshots of messaging go with its documentation.
const docs = '../../docs/screenshots';

/** A language the test runs in, with the words it looks for on screen. */
interface Locale {
  name: string;
  menu: string;
  /** The suffix of this language's screenshots: "" for English, "-zh" for Chinese. */
  shots: string;
  /** The colleague (B), the one the owner mentions; what is typed after @ to find them. */
  colleague: string;
  find: string;
  /** A third member of the chat who never opens it, so that one of two has read. */
  third: string;
  chatName: string;
  newChat: string;
  adhoc: string;
  members: string;
  texts: { hello: string; second: string; reply: string; mention: string; wrong: string };
  readBy: (n: number) => string;
  readTab: (n: number) => string;
  unreadTab: (n: number) => string;
  replies: (n: number) => string;
  recalled: string;
  unread: RegExp;
  mentioned: (actor: string, chat: string) => string;
  compose: string;
  publish: string;
  requiresAck: string;
  announcement: { title: string; body: string };
  progress: (acked: number, total: number) => string;
  ackedTab: (n: number) => string;
}

const locales: Locale[] = [
  {
    name: 'English',
    menu: 'English',
    shots: '',
    colleague: 'Lin Wen',
    find: 'Lin',
    third: 'Mei Chen',
    chatName: 'Launch crew',
    newChat: 'New chat',
    adhoc: 'Group chat',
    members: 'Members',
    texts: {
      hello: 'Good morning, the venue is booked',
      second: 'Badges arrive on Thursday',
      reply: 'Great, I will tell the caterer',
      mention: 'can you check the guest list',
      wrong: 'Dinner is at 9',
    },
    readBy: (n) => `Read by ${n}`,
    readTab: (n) => `Read (${n})`,
    unreadTab: (n) => `Unread (${n})`,
    replies: (n) => (n === 1 ? '1 reply' : `${n} replies`),
    recalled: 'Message recalled',
    unread: /^Notifications, [1-9]\d* unread$/,
    mentioned: (actor, chat) => `${actor} mentioned you in ${chat}`,
    compose: 'New announcement',
    publish: 'Publish',
    requiresAck: 'Ask recipients to acknowledge it',
    announcement: { title: 'New expense policy', body: 'Receipts go in **within a week**.' },
    progress: (a, t) => `${a} / ${t} acknowledged`,
    ackedTab: (n) => `Acknowledged (${n})`,
  },
  {
    name: '简体中文',
    menu: '简体中文',
    shots: '-zh',
    colleague: '张伟',
    find: 'zw',
    third: '王芳',
    chatName: '发布会筹备',
    newChat: '发起会话',
    adhoc: '群聊',
    members: '成员',
    texts: {
      hello: '早上好，场地已经订好了',
      second: '胸牌周四到',
      reply: '好的，我去通知餐饮',
      mention: '请核对一下嘉宾名单',
      wrong: '晚饭九点开始',
    },
    readBy: (n) => `${n} 人已读`,
    readTab: (n) => `已读（${n}）`,
    unreadTab: (n) => `未读（${n}）`,
    replies: (n) => `${n} 条回复`,
    recalled: '消息已撤回',
    unread: /^通知，[1-9]\d* 条未读$/,
    mentioned: (actor, chat) => `${actor} 在 ${chat} 中提到了你`,
    compose: '发布公告',
    publish: '发布',
    requiresAck: '要求接收人确认',
    announcement: { title: '新的报销制度', body: '发票请在**一周内**提交。' },
    progress: (a, t) => `${a} / ${t} 已确认`,
    ackedTab: (n) => `已确认（${n}）`,
  },
];

/** buttonName matches a button's label; Ant Design puts a space between two Chinese characters. */
const buttonName = (label: string) => new RegExp(`^${[...label].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(' ?')}$`);

/** settled waits until dialogs, drawers and messages have finished appearing, for a clean screenshot. */
async function settled(page: Page) {
  await expect(page.locator('.ant-zoom-appear, .ant-zoom-enter, .ant-zoom-leave, .ant-fade-appear, .ant-fade-enter, .ant-move-up-enter, .ant-move-up-leave')).toHaveCount(0);
  await expect(page.locator('.ant-drawer-content-wrapper[class*="-motion"]')).toHaveCount(0);
}

/** composer is the message box of the conversation (not the thread's). */
const composer = (page: Page) => page.locator('textarea[data-testid="composer"], [data-testid="composer"] textarea').first();

/** message is the message of the conversation whose text is `text`. */
const message = (page: Page, text: string) => page.getByTestId('message-list').getByTestId('message').filter({ hasText: text });

/** send writes a message in a box and sends it with Enter, then waits until it is in the history. */
async function send(box: Locator, text: string, where: Locator) {
  await box.click();
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect(where.getByTestId('message').filter({ hasText: text })).toBeVisible();
}

for (const L of locales) {
  test.describe(`messaging in ${L.name}`, () => {
    test('a live chat with read receipts, a thread, a mention, a recall, and an acknowledged announcement', async ({ browser }) => {
      const s = Date.now().toString(36);
      const colleagueName = `${L.colleague} ${s}`;
      const thirdName = `${L.third} ${s}`;
      const chatName = `${L.chatName} ${s}`;
      const t = Object.fromEntries(Object.entries(L.texts).map(([k, v]) => [k, `${v} ${s}`])) as Locale['texts'];
      const announcementTitle = `${L.announcement.title} ${s}`;

      // The owner, a colleague (B) and a third member who only joins, each by invitation.
      const ownerContext = await browser.newContext();
      const owner = await ownerContext.newPage();
      const ownerProblems = watch(owner, 'owner');
      await signIn(owner, ownerEmail, ownerPassword);
      await useEnglish(owner);
      const invite = await createInvitation(owner);
      const colleague = await join(browser, invite, `msg.b.${s}@e2e.canopy.test`, colleagueName, 'Moss-Lin-e2e-42');
      const third = await join(browser, invite, `msg.c.${s}@e2e.canopy.test`, thirdName, 'Moss-Mei-e2e-42');
      await third.context.close();
      const b = colleague.page;
      await useLanguage(owner, L.menu);
      await useLanguage(b, L.menu);
      const ownerName: string = ((await (await ownerContext.request.get('/api/v1/me')).json()) as { user: { display_name: string } }).user.display_name;

      // 1. The owner starts a group chat with both in the new-chat dialog.
      await owner.goto('/messages');
      await owner.getByTestId('new-chat').click();
      const dialog = owner.getByRole('dialog', { name: L.newChat });
      await dialog.getByTestId('new-chat-kind').getByText(L.adhoc, { exact: true }).click();
      await dialog.getByTestId('new-chat-name').fill(chatName);
      const people = dialog.getByRole('combobox', { name: L.members });
      for (const name of [colleagueName, thirdName]) {
        await people.click();
        await people.fill(name);
        await pickOption(owner, name);
        await expect(dialog.locator('.ant-select-selection-item').filter({ hasText: name })).toBeVisible();
      }
      // The list of people stays open over the buttons until the focus leaves it.
      await dialog.getByTestId('new-chat-name').click();
      await expect(owner.locator('.ant-select-dropdown:visible')).toHaveCount(0);
      await dialog.getByTestId('new-chat-submit').click();
      await expect(dialog).toBeHidden();
      await expect(owner).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
      const chatID = owner.url().split('/').pop()!;
      await expect(owner.getByTestId('chat-title')).toHaveText(chatName);

      // 2. B has the chat list open; the owner's message arrives there live, unread.
      await b.goto('/messages');
      await expect(b.getByTestId('chat-list')).toBeVisible();
      await send(composer(owner), t.hello, owner.getByTestId('message-list'));
      const hello = message(owner, t.hello);
      // Nobody has read it yet.
      await expect(hello.getByTestId('read-count')).toHaveAttribute('data-count', '0');
      const row = b.locator(`[data-testid="chat-item"][data-chat-id="${chatID}"]`);
      await expect(row).toContainText(t.hello);
      await expect(row).toHaveAttribute('data-unread', '1');

      // B opens it: the owner sees "read by 1" (of two) without reloading.
      await row.click();
      await expect(b.getByTestId('chat-title')).toHaveText(chatName);
      await expect(message(b, t.hello)).toBeVisible();
      await expect(hello.getByTestId('read-count')).toHaveAttribute('data-count', '1');
      await expect(hello.getByTestId('read-count')).toHaveText(L.readBy(1));
      await expect(row).toHaveAttribute('data-unread', '0');

      // The read list names who has read it and who has not.
      await hello.getByTestId('read-count').click();
      const reads = owner.getByTestId('read-list');
      await expect(reads.getByTestId('reads-read-tab')).toHaveText(L.readTab(1));
      await expect(reads.getByTestId('reads-unread-tab')).toHaveText(L.unreadTab(1));
      await expect(reads.getByTestId('reads-read').getByTestId('reader').locator('.ant-list-item-meta-title')).toHaveText([colleagueName]);
      if (!L.shots) {
        await settled(owner);
        await owner.screenshot({ path: `${docs}/chat-read-list-1280.png` });
      }
      await reads.getByTestId('reads-unread-tab').click();
      await expect(reads.getByTestId('reads-unread').getByTestId('reader').locator('.ant-list-item-meta-title')).toHaveText([thirdName]);
      await owner.keyboard.press('Escape');
      await expect(reads).toBeHidden();

      // 3. With the conversation open, B sees the next message come in.
      await send(composer(owner), t.second, owner.getByTestId('message-list'));
      await expect(message(b, t.second)).toBeVisible();

      // 4. B replies in a thread on the first message; the owner sees the reply count.
      const theirHello = message(b, t.hello);
      await theirHello.hover();
      await theirHello.getByTestId('thread-button').click();
      const thread = b.getByTestId('thread-panel');
      await expect(thread).toBeVisible();
      await expect(thread).toContainText(t.hello);
      const replyBox = thread.locator('textarea[data-testid="reply-composer"], [data-testid="reply-composer"] textarea').first();
      await replyBox.click();
      await replyBox.fill(t.reply);
      await replyBox.press('Enter');
      await expect(replyBox).toHaveValue('');
      await expect(thread.getByTestId('message').filter({ hasText: t.reply })).toBeVisible();
      await expect(thread.getByTestId('thread-reply-count')).toHaveText(L.replies(1));
      // A reply stays in its thread, not in the conversation.
      await expect(message(b, t.reply)).toHaveCount(0);
      const replyCount = hello.getByTestId('reply-count');
      await expect(replyCount).toHaveText(L.replies(1));
      await replyCount.click();
      const ownerThread = owner.getByTestId('thread-panel');
      await expect(ownerThread.getByTestId('message').filter({ hasText: t.reply })).toBeVisible();
      await expect(owner).toHaveURL(/[?&]thread=/);
      await settled(owner);
      await owner.screenshot({ path: `${docs}/chat-thread${L.shots}-1280.png` });
      await ownerThread.getByTestId('thread-close').click();
      await expect(ownerThread).toHaveCount(0);

      // 5. The owner mentions B, found with the @ picker by part of the name (by pinyin initials in Chinese).
      const box = composer(owner);
      await box.click();
      await box.pressSequentially(`@${L.find}`);
      const option = owner.locator('.mention-autocomplete').getByTestId(`mention-option-${colleagueName}`);
      await expect(option).toBeVisible();
      // Only B: the third member's name does not match, and I am not offered.
      await expect(owner.locator('.mention-autocomplete [data-testid^="mention-option-"]')).toHaveCount(1);
      await option.click();
      await expect(box).toHaveValue(`@${colleagueName} `);
      await box.pressSequentially(t.mention);
      await box.press('Enter');
      await expect(box).toHaveValue('');
      await expect(message(owner, t.mention)).toContainText(`@${colleagueName}`);
      await expect(message(b, t.mention)).toBeVisible();
      // B's bell rings with the mention.
      const bell = b.getByTestId('notification-bell');
      await expect(bell).toHaveAccessibleName(L.unread);
      await bell.click();
      await expect(b.locator('.notification-list').getByText(L.mentioned(ownerName, chatName))).toBeVisible();
      await b.keyboard.press('Escape');

      // 6. The owner sends something wrong and recalls it; both see the placeholder.
      await send(composer(owner), t.wrong, owner.getByTestId('message-list'));
      await expect(message(b, t.wrong)).toBeVisible();
      const wrong = message(owner, t.wrong);
      const wrongID = await wrong.getAttribute('data-message-id');
      expect(wrongID).toMatch(/^[0-9a-f-]{36}$/);
      await wrong.hover();
      await wrong.getByTestId('message-menu').click();
      await owner.getByTestId('recall-item').click();
      for (const page of [owner, b]) {
        const recalled = page.locator(`[data-testid="message"][data-message-id="${wrongID}"]`);
        await expect(recalled.getByTestId('message-recalled')).toHaveText(L.recalled);
        await expect(recalled).not.toContainText(t.wrong);
      }
      await expect(b.getByTestId('message-list')).not.toContainText(t.wrong);
      // Nor does the chat list show it as the last message any more: it says it was recalled.
      for (const page of [owner, b]) {
        const listed = page.locator(`[data-testid="chat-item"][data-chat-id="${chatID}"]`);
        await expect(listed).not.toContainText(t.wrong);
        await expect(listed.getByTestId('chat-last')).toHaveText(L.recalled);
      }
      await settled(owner);
      await owner.mouse.move(0, 0);
      await owner.screenshot({ path: `${docs}/chat${L.shots}-1280.png` });

      // 7. The owner publishes an announcement to the organisation asking for acknowledgement.
      await owner.goto('/announcements');
      await owner.getByTestId('published-tab').click();
      await owner.getByTestId('announce-new').click();
      const compose = owner.getByRole('dialog', { name: L.compose });
      await compose.getByTestId('announce-title').fill(announcementTitle);
      await compose.getByTestId('announce-body').fill(L.announcement.body);
      await expect(compose.getByRole('checkbox', { name: L.requiresAck })).toBeChecked();
      await compose.getByRole('button', { name: buttonName(L.publish) }).click();
      await expect(compose).toBeHidden();
      const published = owner.getByTestId('published-announcement').filter({ hasText: announcementTitle });
      const progress = published.getByTestId('announcement-progress');
      await expect(progress).toHaveAttribute('data-acked', '0');
      const total = Number(await progress.getAttribute('data-total'));
      // Every active member of the organisation: at least the owner and the three here.
      expect(total).toBeGreaterThanOrEqual(3);
      await expect(progress).toContainText(L.progress(0, total));

      // B sees it pinned, waiting for acknowledgement, and acknowledges it.
      await b.goto('/announcements');
      const item = b.getByTestId('announcement').filter({ hasText: announcementTitle });
      await expect(item).toHaveAttribute('data-pending', 'true');
      await expect(b.getByTestId('announcement').first()).toHaveAttribute('data-pending', 'true');
      if (!L.shots) {
        await settled(b);
        await b.screenshot({ path: `${docs}/announcements-1280.png` });
      }
      await item.getByTestId('ack-button').click();
      await expect(item.getByTestId('acked-mark')).toBeVisible();
      await expect(item).toHaveAttribute('data-pending', 'false');

      // The publisher's count follows (the publisher's view refreshes itself while shown).
      await expect(progress).toHaveAttribute('data-acked', '1');
      await expect(progress).toHaveAttribute('data-total', String(total));
      await expect(progress).toContainText(L.progress(1, total));
      await published.getByTestId('open-acks').click();
      await owner.locator('.ant-drawer').getByRole('tab', { name: L.ackedTab(1) }).click();
      await expect(owner.getByTestId('acks-acked')).toContainText(colleagueName);
      await owner.keyboard.press('Escape');

      // 8. A phone shows the chat list and the conversation as separate screens.
      await owner.setViewportSize({ width: 390, height: 844 });
      await owner.goto('/messages');
      await expect(owner.getByTestId('chat-list')).toBeVisible();
      await expect(owner.getByTestId('conversation')).toHaveCount(0);
      await owner.locator(`[data-testid="chat-item"][data-chat-id="${chatID}"]`).click();
      await expect(owner.getByTestId('conversation')).toBeVisible();
      await expect(owner.getByTestId('chat-list')).toHaveCount(0);
      await expect(message(owner, t.second)).toBeVisible();
      if (!L.shots) {
        await settled(owner);
        await owner.screenshot({ path: `${docs}/chat-390.png` });
      }
      await owner.getByTestId('chat-back').click();
      await expect(owner).toHaveURL(/\/messages$/);
      await expect(owner.getByTestId('chat-list')).toBeVisible();
      await expect(owner.getByTestId('conversation')).toHaveCount(0);
      await owner.setViewportSize({ width: 1280, height: 800 });

      if (!L.shots) {
        // 9. The console: a group's chat made by its admin, announcements with progress, content rules.
        const api = await apiFor(ownerContext);
        const groupName = `Events team ${s}`;
        const group = await api.call('POST', `/api/v1/admin/orgs/${api.orgID}/groups`, { name: groupName });
        expect(group.status).toBe(201);
        const colleagueID: string = ((await (await colleague.context.request.get('/api/v1/me')).json()) as { user: { id: string } }).user.id;
        const ownerID: string = ((await (await ownerContext.request.get('/api/v1/me')).json()) as { user: { id: string } }).user.id;
        for (const [id, role] of [[ownerID, 'owner'], [colleagueID, 'member']]) {
          expect((await api.call('PUT', `/api/v1/admin/orgs/${api.orgID}/groups/${group.body.id}/members/${id}`, { role })).status).toBe(204);
        }

        await owner.goto('/console/chats');
        await owner.getByTestId('create-chat').click();
        const create = owner.getByRole('dialog', { name: 'Create a chat' });
        const groupPicker = create.getByRole('combobox', { name: 'Group' });
        await groupPicker.click();
        await groupPicker.fill(groupName);
        await pickOption(owner, groupName);
        await create.getByRole('button', { name: 'Create' }).click();
        await expect(create).toBeHidden();
        await expect(owner.getByTestId('admin-chats')).toContainText(groupName);
        await expect(owner.locator('.ant-message-notice')).toHaveCount(0);
        await settled(owner);
        await owner.screenshot({ path: `${docs}/console-chats-1280.png` });
        // The group's chat is in B's list: its members follow the group.
        await b.goto('/messages');
        await expect(b.getByTestId('chat-item').filter({ hasText: groupName })).toBeVisible();

        await owner.goto('/console/announcements');
        const row = owner.getByTestId('published-announcement').filter({ hasText: announcementTitle });
        await expect(row.getByTestId('announcement-progress')).toHaveAttribute('data-acked', '1');
        await settled(owner);
        await owner.screenshot({ path: `${docs}/console-announcements-1280.png` });

        await owner.goto('/console/content-rules');
        await owner.getByTestId('add-rule').click();
        const rule = owner.getByRole('dialog', { name: 'Add a content rule' });
        await rule.getByTestId('rule-phrase').fill(`Project Nightjar ${s}`);
        await rule.getByText('Flag for review', { exact: true }).click();
        await rule.getByRole('button', { name: 'Save' }).click();
        await expect(rule).toBeHidden();
        await expect(owner.getByTestId('content-rules').getByTestId('rule-row-phrase').filter({ hasText: `Project Nightjar ${s}` })).toBeVisible();
        await expect(owner.locator('.ant-message-notice')).toHaveCount(0);
        await settled(owner);
        await owner.screenshot({ path: `${docs}/console-content-rules-1280.png` });
      }

      // 10. B leaves the ad-hoc chat from its settings: it is gone from B's list, and B is back at the chats.
      await b.goto(`/messages/${chatID}`);
      await b.getByTestId('chat-info-button').click();
      const info = b.getByTestId('chat-info');
      await expect(info.locator(`[data-testid="chat-member"]`).filter({ hasText: ownerName })).toBeVisible();
      await info.getByTestId('leave-chat').click();
      await b.getByTestId('leave-confirm').click();
      await expect(b).toHaveURL(/\/messages$/);
      await expect(b.locator(`[data-testid="chat-item"][data-chat-id="${chatID}"]`)).toHaveCount(0);
      // The owner's chat counts one member fewer.
      await owner.goto(`/messages/${chatID}`);
      await owner.getByTestId('chat-info-button').click();
      await expect(owner.getByTestId('chat-info').locator('[data-testid="chat-member"]').filter({ hasText: colleagueName })).toHaveCount(0);

      // The owner's next tests expect English.
      await owner.goto('/messages');
      await useEnglish(owner);
      expect([...ownerProblems, ...colleague.problems]).toEqual([]);
      await colleague.context.close();
      await ownerContext.close();
    });
  });
}
