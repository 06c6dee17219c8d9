import { expect, test } from '@playwright/test';
import { apiFor, createInvitation, join, ownerEmail, ownerPassword, signIn, useEnglish, watch } from './helpers';

// The bell's count rises live (over the WebSocket, no reload) when another member shares a file
// with the user, and the notification opens the file.
test('notifications: a file shared with you rings the bell live, and opens the file', async ({ browser }) => {
  const s = Date.now().toString(36);
  const fileName = `议程 ${s}.txt`;

  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ownerProblems = watch(owner, 'owner');
  await signIn(owner, ownerEmail, ownerPassword);
  await useEnglish(owner);
  const invite = await createInvitation(owner);
  const member = await join(browser, invite, `bell.${s}@e2e.canopy.test`, `Bell Member ${s}`, 'Moss-Bell-e2e-42');
  const m = member.page;
  await useEnglish(m);
  const bell = m.getByTestId('notification-bell');
  await expect(bell).toHaveAccessibleName('Notifications, 0 unread');

  // The owner uploads a file and shares it with the member, through the API.
  const api = await apiFor(ownerContext);
  const csrf = (await ownerContext.cookies()).find((c) => c.name === 'canopy_csrf')?.value ?? '';
  const spaces = await (await ownerContext.request.get(`/api/v1/orgs/${api.orgID}/spaces`)).json();
  const orgSpace = spaces.items.find((sp: { kind: string }) => sp.kind === 'organisation');
  const uploaded = await ownerContext.request.fetch(
    `/api/v1/orgs/${api.orgID}/files?space_id=${orgSpace.id}&name=${encodeURIComponent(fileName)}`,
    { method: 'POST', headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/octet-stream' }, data: Buffer.from('the agenda') },
  );
  expect(uploaded.status()).toBe(201);
  const file = await uploaded.json();
  const memberMe = (await (await member.context.request.get('/api/v1/me')).json()) as { user: { id: string } };
  const shared = await api.call('POST', `/api/v1/orgs/${api.orgID}/shares`, {
    target_type: 'file', target_id: file.id, principal_type: 'user', principal_id: memberMe.user.id, role: 'viewer',
  });
  expect(shared.status).toBe(201);

  // The member's page was not reloaded: the count comes over the WebSocket.
  await expect(bell).toHaveAccessibleName('Notifications, 1 unread');
  await bell.click();
  const item = m.locator('.notification-list').getByText(fileName);
  await expect(item).toBeVisible();
  await m.screenshot({ path: '../../docs/screenshots/notifications-1280.png' });
  await item.click();
  await expect(m).toHaveURL(/\/files\/shared/);
  await expect(m.getByRole('dialog').getByText(fileName).first()).toBeVisible();
  await expect(bell).toHaveAccessibleName('Notifications, 0 unread');

  expect([...ownerProblems, ...member.problems]).toEqual([]);
  await member.context.close();
  await ownerContext.close();
});
