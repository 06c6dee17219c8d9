import { expect, test, type Page } from '@playwright/test';
import { apiFor, createInvitation, join, ownerEmail, ownerPassword, shots, signIn, useEnglish, useLanguage, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

/** The words each language shows the reader. */
const languages = [
  {
    menu: 'English',
    code: 'en',
    console: 'Admin console',
    members: 'Members',
    departments: 'Departments',
    tree: 'Department tree',
    readOnly: /your role does not let you change it/,
    edits: ['Invite members', 'Add sub-department', 'Rename', 'Move', 'Delete', 'Add'],
    rowEdits: (name: string) => [`Deactivate ${name}`, `More actions for ${name}`, `Remove ${name} from the department`],
  },
  {
    menu: '简体中文',
    code: 'zh-CN',
    console: '管理后台',
    members: '成员',
    departments: '部门',
    tree: '部门树',
    readOnly: /你的角色不能修改它/,
    edits: ['邀请成员', '添加子部门', '重命名', '移动', '删除', '添加'],
    rowEdits: (name: string) => [`停用 ${name}`, `${name} 的更多操作`, `将 ${name} 移出部门`],
  },
];

/** noEdits checks that none of the buttons that change something is on the page. */
async function noEdits(page: Page, names: string[]) {
  for (const name of names) await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
}

test('a member who holds only directory.read opens the console and is offered nothing to change', async ({ browser }) => {
  const s = Date.now().toString(36);
  const deptName = `Readers ${s}`;
  const readerName = `Rui Reader ${s}`;
  const readerEmail = `rui.${s}@e2e.canopy.test`;

  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ownerProblems = watch(owner, 'owner');
  await signIn(owner, ownerEmail, ownerPassword);
  await useEnglish(owner);
  const api = await apiFor(ownerContext);
  const adm = `/api/v1/admin/orgs/${api.orgID}`;

  // A department with the reader in it, and a role that allows reading the directory only.
  const dept = await api.call('POST', `${adm}/departments`, { name: deptName });
  expect(dept.status).toBe(201);
  const role = await api.call('POST', `${adm}/roles`, { name: `Directory reader ${s}`, permissions: ['directory.read'] });
  expect(role.status).toBe(201);
  const reader = await join(browser, await createInvitation(owner), readerEmail, readerName, 'Moss-Rui-e2e-42');
  const r = reader.page;
  const readerAPI = await apiFor(reader.context);
  const readerID: string = (await readerAPI.call('GET', '/api/v1/me')).body.user.id;
  expect((await api.call('PUT', `${adm}/departments/${dept.body.id}/members/${readerID}`, { leader: false })).status).toBe(204);
  expect((await api.call('POST', `${adm}/assignments`, { user_id: readerID, role_id: role.body.id })).status).toBe(201);

  // What the API tells the reader: directory.read organisation-wide, and nothing that manages.
  const held = (await readerAPI.call('GET', `/api/v1/orgs/${readerAPI.orgID}/me/permissions`)).body.permissions as { permission: string; org: boolean }[];
  expect(held).toContainEqual(expect.objectContaining({ permission: 'directory.read', org: true }));
  expect(held.map((p) => p.permission)).not.toContain('directory.manage');
  expect(held.map((p) => p.permission)).not.toContain('members.manage');

  for (const L of languages) {
    for (const width of [1280, 375]) {
      await r.setViewportSize({ width, height: width === 375 ? 812 : 900 });
      const asked = r.waitForResponse((res) => res.url().endsWith('/me/permissions'));
      await r.goto('/messages');
      if (width === 1280) await useLanguage(r, L.menu);
      // The app does not offer the console: reading the directory is every member's.
      await expect(r.getByRole('heading', { level: 1 }).first()).toBeVisible();
      expect((await asked).status()).toBe(200);
      await expect(r.getByRole('link', { name: L.console })).toHaveCount(0);
      if (width === 375) {
        // On a phone the link would be in the user menu.
        await r.locator('.user-menu-button').click();
        await expect(r.getByRole('menuitem').first()).toBeVisible();
        await expect(r.getByRole('menuitem', { name: L.console })).toHaveCount(0);
        await r.keyboard.press('Escape');
      }

      // Opened directly, the console shows the directory they may read, and no way to change it.
      await r.goto('/console');
      await expect(r).toHaveURL(/\/console\/members$/);
      await expect(r.getByRole('heading', { name: L.members, level: 1 })).toBeVisible();
      await expect(r.getByText(L.readOnly)).toBeVisible();
      // Searching is reading: the other specs leave many people before them in pinyin order.
      await r.getByRole('searchbox').first().fill(readerName);
      await expect(r.getByText(readerName).first()).toBeVisible();
      await noEdits(r, [...L.edits, ...L.rowEdits(readerName)]);
      await r.screenshot({ path: `${shots}/console-readonly-members-${L.code}-${width}.png` });

      await r.goto('/console/departments');
      await expect(r.getByRole('heading', { name: L.departments, level: 1 })).toBeVisible();
      await expect(r.getByRole('tree', { name: L.tree })).toBeVisible();
      await r.goto(`/console/departments?dept=${dept.body.id}`);
      await expect(r.getByRole('heading', { name: deptName, level: 2 })).toBeVisible();
      await expect(r.locator('.department-members').getByText(readerName)).toBeVisible();
      await expect(r.getByText(L.readOnly)).toBeVisible();
      await noEdits(r, [...L.edits, ...L.rowEdits(readerName)]);
      await expect(r.locator('.department-members').getByRole('switch')).toBeDisabled();
      await r.screenshot({ path: `${shots}/console-readonly-departments-${L.code}-${width}.png` });
    }
  }

  // Not offered is not the only guard: the API refuses the change too.
  expect((await readerAPI.call('PATCH', `${adm}/departments/${dept.body.id}`, { name: `${deptName} renamed` })).status).toBe(403);

  // The owner, by contrast, is offered each change on the same page.
  await owner.goto(`/console/departments?dept=${dept.body.id}`);
  await expect(owner.getByRole('heading', { name: deptName, level: 2 })).toBeVisible();
  for (const name of ['Add sub-department', 'Rename', 'Move', 'Delete']) await expect(owner.getByRole('button', { name, exact: true })).toBeVisible();

  expect([...ownerProblems, ...reader.problems]).toEqual([]);
  await reader.context.close();
  await ownerContext.close();
});
