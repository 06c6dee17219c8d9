import { expect, test } from '@playwright/test';
import { apiFor, createInvitation, join, ownerEmail, ownerPassword, pickOption, selectInTree, shots, signIn, useEnglish, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

test('a custom role lets a member change one department and nowhere else, and the audit log shows each step', async ({ browser }) => {
  const s = Date.now().toString(36);
  const eng = `Eng ${s}`;
  const web = `Web ${s}`;
  const sales = `Sales ${s}`;
  const roleName = `Department editor ${s}`;
  const editorName = `Dana Editor ${s}`;
  const editorEmail = `dana.${s}@e2e.canopy.test`;

  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ownerProblems = watch(owner, 'owner');
  await signIn(owner, ownerEmail, ownerPassword);
  await useEnglish(owner);

  // The tree to work in: Eng with Web below it, and Sales beside Eng.
  const api = await apiFor(ownerContext);
  const created = async (name: string, parent?: string) => {
    const r = await api.call('POST', `/api/v1/admin/orgs/${api.orgID}/departments`, { name, parent_id: parent });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const engID = await created(eng);
  await created(web, engID);
  await created(sales);

  const invite = await createInvitation(owner);
  const editor = await join(browser, invite, editorEmail, editorName, 'Moss-Dana-e2e-42');

  // The admin composes a role from the catalogue.
  await owner.goto('/console/roles');
  await expect(owner.getByRole('heading', { name: 'Roles', level: 1 })).toBeVisible();
  await expect(owner.getByRole('row').filter({ hasText: 'Department admin' })).toBeVisible();
  await expect(owner.getByRole('row').filter({ hasText: 'directory.manage' })).toContainText('Department or organisation');
  await owner.getByRole('button', { name: 'Create role' }).click();
  const dialog = owner.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Name' }).fill(roleName);
  await dialog.getByRole('textbox', { name: 'Description' }).fill('Changes the departments it is granted for');
  // The dialog may render again as the catalogue arrives; check until it holds.
  const manageDepartments = dialog.getByRole('checkbox', { name: /Manage departments/ });
  await expect(async () => {
    await manageDepartments.check();
    await expect(manageDepartments).toBeChecked();
  }).toPass({ timeout: 15_000 });
  await expect(dialog.getByRole('checkbox', { name: /Transfer ownership/ })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Create role' }).click();
  await expect(dialog).toBeHidden();
  const roleRow = owner.getByRole('row').filter({ hasText: roleName });
  await expect(roleRow).toContainText('Manage departments');

  // ...and grants it to the member for Eng only.
  await owner.goto('/console/assignments');
  await owner.getByRole('combobox', { name: 'Member' }).fill(editorEmail);
  await pickOption(owner, editorEmail);
  await expect(owner.getByRole('heading', { name: `Roles of ${editorName}` })).toBeVisible();
  await expect(owner.getByText('No roles granted besides the base role.')).toBeVisible();
  await owner.locator('.ant-select').filter({ has: owner.getByRole('combobox', { name: 'Role' }) }).click();
  await pickOption(owner, roleName);
  await expect(owner.getByRole('radio', { name: 'One department' })).toBeChecked();
  await owner.locator('.ant-select').filter({ has: owner.getByRole('combobox', { name: 'Department' }) }).click();
  await pickOption(owner, eng);
  await owner.getByRole('button', { name: 'Grant' }).click();
  const grant = owner.getByRole('row').filter({ hasText: roleName });
  await expect(grant).toContainText(eng);

  // The member finds the departments they may change in the console, and only the pages their
  // permissions cover: the directory they read, and no admin pages.
  const ed = editor.page;
  await ed.reload();
  await ed.getByRole('link', { name: 'Admin console' }).click();
  await expect(ed).toHaveURL(/\/console\/members$/);
  const nav = ed.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav.getByRole('link', { name: 'Members' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Roles' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Departments' }).click();
  await expect(ed.getByText(/You can change only the departments/)).toBeVisible();
  const tree = ed.getByRole('tree', { name: 'Department tree' });
  const root = (await tree.getByRole('treeitem').first().textContent())!.trim();

  // Inside Eng: rename Web, and add a department below Eng.
  await selectInTree(ed, [root, eng, web]);
  await ed.getByRole('button', { name: 'Rename' }).click();
  const rename = ed.getByRole('dialog');
  await rename.getByLabel('Department name').fill(`${web} renamed`);
  await rename.getByRole('button', { name: 'Save' }).click();
  await expect(rename).toBeHidden();
  await expect(tree.getByText(`${web} renamed`, { exact: true })).toBeVisible();
  await selectInTree(ed, [root, eng]);
  await ed.getByRole('button', { name: 'Add sub-department' }).click();
  const add = ed.getByRole('dialog');
  await add.getByLabel('Department name').fill(`Mobile ${s}`);
  await add.getByRole('button', { name: 'Create' }).click();
  await expect(add).toBeHidden();
  await expect(tree.getByText(`Mobile ${s}`, { exact: true })).toBeVisible();

  // Next door, in Sales, the same change is not offered, and the API refuses it.
  await selectInTree(ed, [root, sales]);
  await expect(ed.getByRole('button', { name: 'Rename' })).toHaveCount(0);
  const edAPI = await apiFor(editor.context);
  const sid = (await edAPI.call('GET', `/api/v1/orgs/${edAPI.orgID}/departments?parent_id=`)).body.items.find((d: { name: string }) => d.name === sales).id;
  expect((await edAPI.call('PATCH', `/api/v1/admin/orgs/${edAPI.orgID}/departments/${sid}`, { name: `${sales} taken over` })).status).toBe(403);

  // Dragging Mobile out of Eng into Sales is refused too: the tree puts it back and says why.
  const mobileNode = tree.getByText(`Mobile ${s}`, { exact: true });
  const salesNode = tree.getByText(sales, { exact: true });
  await salesNode.scrollIntoViewIfNeeded();
  await mobileNode.scrollIntoViewIfNeeded();
  const from = (await mobileNode.boundingBox())!;
  const to = (await salesNode.boundingBox())!;
  const refused = ed.waitForResponse((r) => r.request().method() === 'PATCH' && /\/departments\//.test(r.url()));
  await ed.mouse.move(from.x + 8, from.y + from.height / 2);
  await ed.mouse.down();
  await ed.mouse.move(from.x + 20, from.y + from.height / 2, { steps: 5 });
  await ed.mouse.move(from.x + 80, to.y + to.height * 0.75, { steps: 15 });
  await ed.mouse.move(from.x + 84, to.y + to.height * 0.75, { steps: 2 });
  await ed.mouse.up();
  expect((await refused).status()).toBe(403);
  await expect(ed.getByText('The department was not moved. You don’t have permission to do that here.')).toBeVisible();
  await selectInTree(ed, [root, eng, `Mobile ${s}`]);
  await expect(ed.locator('.directory-breadcrumb')).toContainText(eng);

  // Pages for admins say honestly that they are not for this member.
  await ed.goto('/console/roles');
  await expect(ed.getByRole('heading', { name: 'You don’t have permission to use this page' })).toBeVisible();

  // The audit log has each step, with who did it.
  await owner.goto('/console/audit');
  await expect(owner.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  const created_ = owner.getByRole('row').filter({ hasText: 'Role created' }).filter({ hasText: roleName });
  await expect(created_).toBeVisible();
  const granted = owner.getByRole('row').filter({ hasText: 'Role granted' }).filter({ hasText: editorName });
  await expect(granted).toBeVisible();
  const changed = owner.getByRole('row').filter({ hasText: 'Department changed' }).filter({ hasText: `${web} renamed` });
  await expect(changed).toContainText(editorName);
  // Its before and after.
  await changed.getByRole('button', { name: /expand/i }).click();
  // Field by field: the name, from what to what.
  const details = owner.locator('.audit-change').filter({ hasText: `${web} renamed` });
  const nameRow = details.getByRole('row').filter({ has: owner.getByRole('cell', { name: 'name', exact: true }) });
  await expect(nameRow.getByRole('cell')).toHaveText(['name', web, `${web} renamed`]);
  // Filtered to department changes (a choice list, searched), the role entries go.
  await owner.getByRole('combobox', { name: 'Action' }).fill('department.');
  await owner.getByRole('combobox', { name: 'Action' }).press('Enter');
  await expect(owner.getByRole('row').filter({ hasText: 'Role created' })).toHaveCount(0);
  await expect(changed).toBeVisible();
  const csv = owner.getByRole('link', { name: 'Export CSV' });
  await expect(csv).toHaveAttribute('href', /format=csv&action=department\./);
  const download = await owner.request.get((await csv.getAttribute('href'))!);
  expect(download.status()).toBe(200);
  expect(await download.text()).toContain(`${web} renamed`);
  await owner.getByRole('heading', { name: 'Audit log', level: 1 }).click();
  await owner.evaluate(() => window.scrollTo(0, 0));
  await owner.screenshot({ path: `${shots}/console-audit-1280.png` });

  expect([...ownerProblems, ...editor.problems]).toEqual([]);
  await editor.context.close();
  await ownerContext.close();
});
