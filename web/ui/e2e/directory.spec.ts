import { expect, test, type Page } from '@playwright/test';
import { apiFor, createInvitation, join, ownerEmail, ownerPassword, pickOption, selectInTree, shots, signIn, useEnglish, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

async function addChild(page: Page, name: string) {
  await page.getByRole('button', { name: 'Add sub-department' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Department name').fill(name);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('tree', { name: 'Department tree' }).getByText(name, { exact: true })).toBeVisible();
}

test('an admin builds the department tree, moves a department by dragging, fills a group, and an employee finds a colleague by pinyin', async ({ browser }) => {
  const s = Date.now().toString(36);
  const eng = `Engineering ${s}`;
  const backend = `Backend ${s}`;
  const payments = `Payments ${s}`;
  const platform = `Platform ${s}`;
  const group = `Payments guild ${s}`;
  const zhangEmail = `zhang.wei.${s}@e2e.canopy.test`;
  const employeeName = `Lin Employee ${s}`;

  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ownerProblems = watch(owner, 'owner');
  await signIn(owner, ownerEmail, ownerPassword);
  await useEnglish(owner);

  // Two people join: a colleague with a Chinese name, and the employee who will look for him.
  const invite = await createInvitation(owner);
  const zhang = await join(browser, invite, zhangEmail, '张伟', 'Moss-Zhang-e2e-42');
  await zhang.context.close();
  const employee = await join(browser, invite, `lin.${s}@e2e.canopy.test`, employeeName, 'Moss-Lin-e2e-42');

  // A three-level tree, and a sibling to move into.
  await owner.goto('/console/departments');
  await expect(owner.getByRole('heading', { name: 'Departments', level: 1 })).toBeVisible();
  const tree = owner.getByRole('tree', { name: 'Department tree' });
  const root = (await tree.getByRole('treeitem').first().textContent())!.trim();
  await selectInTree(owner, [root]);
  await addChild(owner, eng);
  await addChild(owner, platform);
  await selectInTree(owner, [root, eng]);
  await addChild(owner, backend);
  await selectInTree(owner, [root, eng, backend]);
  await addChild(owner, payments);
  await expect(owner.getByRole('treeitem').filter({ hasText: payments })).toBeVisible();

  // Drag Payments (under Backend) onto Platform with the mouse. Moving right while dragging
  // drops onto the department rather than beside it.
  const source = tree.getByText(payments, { exact: true });
  const target = tree.getByText(platform, { exact: true });
  await target.scrollIntoViewIfNeeded();
  await source.scrollIntoViewIfNeeded();
  const from = (await source.boundingBox())!;
  const to = (await target.boundingBox())!;
  const moved = owner.waitForResponse((r) => r.request().method() === 'PATCH' && /\/departments\//.test(r.url()));
  await owner.mouse.move(from.x + 8, from.y + from.height / 2);
  await owner.mouse.down();
  await owner.mouse.move(from.x + 20, from.y + from.height / 2, { steps: 5 });
  // Over the lower half of Platform's row: above its middle would mean "after the row before".
  await owner.mouse.move(from.x + 80, to.y + to.height * 0.75, { steps: 15 });
  await owner.mouse.move(from.x + 84, to.y + to.height * 0.75, { steps: 2 });
  await owner.mouse.up();
  expect((await moved).status()).toBe(200);
  await expect(owner.getByText(`${payments} moved under ${platform}.`)).toBeVisible();

  // The API agrees: Payments' parent is now Platform.
  const api = await apiFor(ownerContext);
  const search = await api.call('GET', `/api/v1/orgs/${api.orgID}/search?q=${encodeURIComponent(payments)}`);
  const paymentsDept = search.body.departments.find((d: { name: string }) => d.name === payments);
  const parent = await api.call('GET', `/api/v1/orgs/${api.orgID}/departments/${paymentsDept.parent_id}`);
  expect(parent.body.name).toBe(platform);
  // And so does the tree: Platform now holds Payments.
  await selectInTree(owner, [root, platform, payments]);
  await expect(owner.locator('.directory-breadcrumb')).toContainText(platform);

  // Zhang Wei joins Backend as its leader.
  await selectInTree(owner, [root, eng, backend]);
  await owner.getByRole('combobox', { name: 'Find a member to add' }).click();
  await owner.getByRole('combobox', { name: 'Find a member to add' }).fill(zhangEmail);
  await pickOption(owner, zhangEmail);
  await owner.getByRole('checkbox', { name: 'As a leader' }).check();
  await owner.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(owner.getByRole('switch', { name: `张伟 leads ${backend}` })).toBeChecked();
  await owner.setViewportSize({ width: 1280, height: 800 });
  await expect(owner.locator('.ant-message-notice')).toHaveCount(0);
  await owner.evaluate(() => window.scrollTo(0, 0));
  await owner.screenshot({ path: `${shots}/console-departments-1280.png`, fullPage: true });
  await owner.setViewportSize({ width: 375, height: 812 });
  await expect(owner.getByRole('button', { name: 'Open the menu' })).toBeVisible();
  await expect(owner.getByRole('button', { name: 'Move', exact: true })).toBeVisible();
  await owner.evaluate(() => window.scrollTo(0, 0));
  await owner.screenshot({ path: `${shots}/console-departments-375.png`, fullPage: true });
  await owner.setViewportSize({ width: 1280, height: 800 });

  // A group with room for two: two join, the third is refused with the cap shown.
  await owner.goto('/console/groups');
  await owner.getByRole('button', { name: 'Create group' }).click();
  const dialog = owner.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Name' }).fill(group);
  await dialog.getByRole('textbox', { name: 'Description' }).fill('Everyone who works on payments');
  await dialog.getByLabel('Member cap').fill('2');
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(owner).toHaveURL(/\/console\/groups\/[0-9a-f-]+$/);
  await expect(owner.getByRole('heading', { name: group, level: 1 })).toBeVisible();
  for (const who of [zhangEmail, employeeName]) {
    await owner.getByRole('combobox', { name: 'Find a member to add' }).click();
    await owner.getByRole('combobox', { name: 'Find a member to add' }).fill(who);
    await pickOption(owner, who);
    await owner.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(owner.getByRole('row').filter({ hasText: who })).toBeVisible();
  }
  await expect(owner.getByText('2 / 2 members').first()).toBeVisible();
  await owner.locator('.ant-select').filter({ has: owner.getByRole('combobox', { name: 'Role of 张伟 in the group' }) }).click();
  await pickOption(owner, 'Owner');
  await expect(owner.getByText('The role of 张伟 was changed.')).toBeVisible();
  await owner.getByRole('combobox', { name: 'Find a member to add' }).click();
  await owner.getByRole('combobox', { name: 'Find a member to add' }).fill(ownerEmail);
  await pickOption(owner, ownerEmail);
  const refused = owner.waitForResponse((r) => r.request().method() === 'PUT' && /\/groups\/.+\/members\//.test(r.url()));
  await owner.getByRole('button', { name: 'Add', exact: true }).click();
  expect((await refused).status()).toBe(409);
  expect((await (await refused).json()).error.code).toBe('group_full');
  await expect(owner.getByRole('alert').filter({ hasText: 'The group is full: 2 / 2 members' })).toBeVisible();

  // The employee finds Zhang Wei by the initials of his name's pinyin, and opens his card.
  const emp = employee.page;
  await emp.getByRole('link', { name: 'Directory' }).click();
  await expect(emp.getByRole('heading', { name: 'Directory', level: 1 })).toBeVisible();
  await emp.getByRole('searchbox', { name: 'Search the directory' }).fill('zw');
  const result = emp.getByRole('link').filter({ hasText: zhangEmail });
  await expect(result).toBeVisible();
  await expect(result).toContainText('张伟');
  // The full pinyin finds him too.
  await emp.getByRole('searchbox', { name: 'Search the directory' }).fill('zhangwei');
  await expect(emp).toHaveURL(/q=zhangwei/);
  await expect(result).toBeVisible();
  await emp.screenshot({ path: `${shots}/directory-search-1280.png` });
  await result.click();
  await expect(emp.getByRole('heading', { name: '张伟', level: 2 })).toBeVisible();
  const departments = emp.locator('.link-list li').filter({ hasText: backend });
  await expect(departments).toContainText(`${eng} / ${backend}`);
  await expect(departments).toContainText('Leader');
  await expect(departments).toContainText('Primary');
  await expect(emp.getByRole('link', { name: group })).toBeVisible();

  // Browsing: Backend lists Zhang Wei as its leader.
  await emp.getByRole('link', { name: `${eng} / ${backend}` }).click();
  await expect(emp.getByRole('heading', { name: backend, level: 2 })).toBeVisible();
  await expect(emp.locator('.department-leaders')).toContainText('张伟');
  await expect(emp.locator('.people-list')).toContainText(zhangEmail);
  await emp.screenshot({ path: `${shots}/directory-1280.png`, fullPage: true });
  await emp.setViewportSize({ width: 375, height: 812 });
  await expect(emp.getByRole('navigation', { name: 'Main navigation' })).toBeVisible();
  await expect(emp.getByRole('tree')).toHaveCount(0);
  await expect(emp.getByRole('heading', { name: backend, level: 2 })).toBeVisible();
  await emp.evaluate(() => window.scrollTo(0, 0));
  await emp.screenshot({ path: `${shots}/directory-375.png`, fullPage: true });
  // On a phone the sub-departments are a list to tap through.
  await emp.getByRole('link', { name: eng }).click();
  await expect(emp.getByRole('heading', { name: eng, level: 2 })).toBeVisible();
  await emp.getByRole('button', { name: new RegExp(backend) }).click();
  await expect(emp.getByRole('heading', { name: backend, level: 2 })).toBeVisible();

  expect([...ownerProblems, ...employee.problems]).toEqual([]);
  await employee.context.close();
  await ownerContext.close();
});
