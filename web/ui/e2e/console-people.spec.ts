import { expect, test, type Locator, type Page } from '@playwright/test';
import { apiFor, ownerEmail, ownerPassword, pickOption, shots, signIn, useEnglish, useLanguage, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

/** The words each language shows, and where its screenshots go. */
const languages = [
  {
    menu: 'English',
    shot: '',
    heading: 'Members',
    search: 'Search by name, pinyin, email or employee number',
    department: 'Filter by department',
    subtree: 'Include sub-departments',
    columns: 'Columns',
    employeeNumber: 'Employee number',
    jobTitle: 'Title',
    total: (n: number) => (n === 1 ? '1 person' : `${n} people`),
    selection: 'Selected people',
    selectAll: (n: number) => `Select all ${n} people matching this filter`,
    allSelected: (n: number) => `All ${n} people matching this filter are selected.`,
    move: 'Move to department…',
    moveTitle: (n: number) => `Move ${n} people to a department`,
    moveTo: 'Department',
    moveOk: 'Move',
    moved: (n: number, dept: string) => `Moved ${n} people to ${dept}.`,
  },
  {
    menu: '简体中文',
    shot: '-zh',
    heading: '成员',
    search: '按姓名、拼音、邮箱或工号搜索',
    department: '按部门筛选',
    subtree: '包含子部门',
    columns: '显示列',
    employeeNumber: '工号',
    jobTitle: '职务',
    total: (n: number) => `共 ${n} 人`,
    selection: '已选成员',
    selectAll: (n: number) => `选择符合当前筛选的全部 ${n} 人`,
    allSelected: (n: number) => `已选择符合当前筛选的全部 ${n} 人。`,
    move: '调整部门…',
    moveTitle: (n: number) => `将 ${n} 人调至部门`,
    moveTo: '部门',
    moveOk: '调整',
    moved: (n: number, dept: string) => `已将 ${n} 人调至${dept}。`,
  },
];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静'];

/** The people table's column headers. */
const headers = (page: Page) => page.locator('.people-table thead th.ant-table-cell');

/** chooseDepartment picks a department in the department picker labelled so, by typing its (unique) name. */
async function chooseDepartment(page: Page, scope: Page | Locator, label: string, name: string) {
  const picker = scope.getByRole('combobox', { name: label, exact: true });
  // The chosen department's label lies over the input: open the select by its box (`has` is
  // relative to the box, so it is given from the page).
  await scope.locator('.ant-select').filter({ has: page.getByRole('combobox', { name: label, exact: true }) }).click();
  await picker.fill(name);
  await pickOption(page, new RegExp(`^${name}$`));
}

/** nothingCut checks that the element and everything in it fit within the page's width. */
async function nothingCut(page: Page, selector: string) {
  const width = page.viewportSize()!.width;
  const overflow = await page.locator(selector).evaluate((el, w) => {
    const out: string[] = [];
    if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.className} scrolls: ${el.scrollWidth} > ${el.clientWidth}`);
    for (const child of Array.from(el.querySelectorAll('button, a, span'))) {
      const r = child.getBoundingClientRect();
      if (r.width > 0 && (r.right > w + 0.5 || r.left < -0.5)) out.push(`${child.textContent} at ${r.left}–${r.right}`);
    }
    return out;
  }, width);
  expect(overflow).toEqual([]);
}

test('the people table: columns, department and pinyin filters, and moving 50 people at once, in both languages at 1280 and 375 px', async ({ browser }) => {
  // Four runs of seeding 50 people and walking the table.
  test.setTimeout(1_500_000);
  const s = Date.now().toString(36);
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watch(page, 'owner');
  await signIn(page, ownerEmail, ownerPassword);
  await useEnglish(page);
  const api = await apiFor(context);
  const adm = `/api/v1/admin/orgs/${api.orgID}`;

  const department = async (name: string, parent?: string): Promise<string> => {
    const r = await api.call('POST', `${adm}/departments`, parent ? { name, parent_id: parent } : { name });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id;
  };

  const runs = languages.flatMap((l) => [1280, 375].map((w) => ({ l, w })));
  for (const [i, { l, w }] of runs.entries()) {
    const tag = `${s}${i}`;

    // A department with two sub-departments holding 50 people between them (none directly), and
    // an empty one to move them to; one of the 50 is 欧阳修, found by the initials of his name.
    const parentName = `Bulk ${tag}`;
    const parent = await department(parentName);
    const left = await department(`Bulk ${tag} A`, parent);
    const right = await department(`Bulk ${tag} B`, parent);
    const targetName = `Target ${tag}`;
    const target = await department(targetName);
    const names = SURNAMES.flatMap((sn) => GIVEN.map((g) => `${sn}${g}`)).slice(0, 49);
    names.push('欧阳修');
    for (let from = 0; from < names.length; from += 10) {
      await Promise.all(
        names.slice(from, from + 10).map(async (name, k) => {
          const n = from + k;
          const user = await api.call('POST', `${adm}/users`, {
            email: `bulk.${tag}.${n}@e2e.canopy.test`,
            display_name: name,
            employee_number: `B${tag}-${String(n).padStart(2, '0')}`,
            job_title: n % 2 ? '工程师' : 'Designer',
          });
          expect(user.status, JSON.stringify(user.body)).toBe(201);
          const placed = await api.call('PUT', `${adm}/departments/${n < 30 ? left : right}/members/${user.body.user_id}`, { leader: false });
          expect(placed.status, JSON.stringify(placed.body)).toBe(204);
        }),
      );
    }

    await page.setViewportSize({ width: 1280, height: 900 });
    await useLanguage(page, l.menu);
    await page.setViewportSize(w === 1280 ? { width: 1280, height: 900 } : { width: 375, height: 812 });
    await page.goto('/console/members');
    await expect(page.getByRole('heading', { name: l.heading, level: 1 })).toBeVisible();

    if (w === 1280) {
      // Columns: hidden ones stay hidden after a reload, and come back when chosen.
      await page.getByRole('button', { name: l.columns }).click();
      const chooser = page.getByRole('group', { name: l.columns });
      for (const c of [l.employeeNumber, l.jobTitle]) await chooser.getByRole('checkbox', { name: c, exact: true }).uncheck();
      await expect(headers(page).filter({ hasText: l.employeeNumber })).toHaveCount(0);
      await page.reload();
      await expect(page.getByRole('heading', { name: l.heading, level: 1 })).toBeVisible();
      await expect(headers(page).first()).toBeVisible();
      await expect(headers(page).filter({ hasText: l.employeeNumber })).toHaveCount(0);
      await expect(headers(page).filter({ hasText: new RegExp(`^${l.jobTitle}$`) })).toHaveCount(0);
      await page.getByRole('button', { name: l.columns }).click();
      for (const c of [l.employeeNumber, l.jobTitle]) await page.getByRole('group', { name: l.columns }).getByRole('checkbox', { name: c, exact: true }).check();
      await page.keyboard.press('Escape');
      await page.reload();
      await expect(headers(page).filter({ hasText: l.employeeNumber })).toHaveCount(1);
      await expect(headers(page).filter({ hasText: new RegExp(`^${l.jobTitle}$`) })).toHaveCount(1);
    }

    // The department's subtree holds the 50; the department by itself, nobody.
    await chooseDepartment(page, page, l.department, parentName);
    await expect(page.getByText(l.total(50), { exact: true })).toBeVisible();
    await page.getByRole('switch', { name: l.subtree }).click();
    await expect(page.getByText(l.total(0), { exact: true })).toBeVisible();
    await page.getByRole('switch', { name: l.subtree }).click();
    await expect(page.getByText(l.total(50), { exact: true })).toBeVisible();
    if (w === 1280) await expect(page.getByRole('row').filter({ hasText: `B${tag}-49` })).toHaveCount(1);

    // Pinyin: "oyx" finds 欧阳修 among them.
    const search = page.getByLabel(l.search);
    await search.fill('oyx');
    await expect(page.getByText(l.total(1), { exact: true })).toBeVisible();
    await expect(page.locator('.people-table tbody tr.ant-table-row')).toHaveCount(1);
    await expect(page.locator('.people-table tbody')).toContainText('欧阳修');
    await search.fill('');
    await expect(page.getByText(l.total(50), { exact: true })).toBeVisible();
    await expect(page.locator('.people-table tbody tr.ant-table-row')).toHaveCount(50);
    await page.screenshot({ path: `${shots}/console-people${l.shot}-${w}.png`, fullPage: w === 375 });

    // One ticked, then all 50 the filter matches, then moved in one step.
    await page.locator('.people-table tbody tr.ant-table-row').first().getByRole('checkbox').check();
    const bar = page.getByRole('region', { name: l.selection });
    await bar.getByRole('button', { name: l.selectAll(50) }).click();
    await expect(bar.getByText(l.allSelected(50))).toBeVisible();
    if (w === 375) await nothingCut(page, '.people-bulk');
    if (w === 1280 && i === 0) await page.screenshot({ path: `${shots}/console-people-bulk-1280.png` });
    const moved = page.waitForResponse((r) => r.url().endsWith('/people/bulk') && r.request().method() === 'POST');
    await bar.getByRole('button', { name: l.move }).click();
    const dialog = page.getByRole('dialog', { name: l.moveTitle(50) });
    await chooseDepartment(page, dialog, l.moveTo, targetName);
    await dialog.getByRole('button', { name: l.moveOk }).click();
    const response = await moved;
    expect(response.status()).toBe(200);
    expect(JSON.parse(response.request().postData() ?? '{}')).toEqual({ action: 'move_department', filter: { department_id: parent, subtree: true }, department_id: target });
    expect(await response.json()).toMatchObject({ matched: 50, changed: 50, skipped: [] });
    await expect(dialog).toBeHidden();
    await expect(page.getByText(l.moved(50, targetName))).toBeVisible();
    await expect(bar).toBeHidden();
    // The table now finds nobody under the old department, and the 50 in the new one.
    await expect(page.getByText(l.total(0), { exact: true })).toBeVisible();
    await chooseDepartment(page, page, l.department, targetName);
    await expect(page.getByText(l.total(50), { exact: true })).toBeVisible();
    await expect(page.locator('.people-table tbody')).toContainText('欧阳修');
    if (w === 375) await nothingCut(page, '.people-bulk-result');
    if (w === 1280 && i === 0) await page.screenshot({ path: `${shots}/console-people-moved-1280.png` });
  }
  expect(problems).toEqual([]);
  await context.close();
});
