import { expect, test, type Page } from '@playwright/test';
import ExcelJS from 'exceljs';
import { apiFor, ownerEmail, ownerPassword, pickOption, shots, signIn, useEnglish, useLanguage, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

/** The words each language shows the reader, and the suffix of its screenshots. */
const languages = [
  {
    menu: 'English',
    shot: '',
    templateXlsx: 'Download template (Excel)',
    start: 'Start import',
    created: 'Created',
    failed: 'Not applied',
    search: 'Search by name, pinyin, email or employee number',
    bulkMenu: 'Add members',
    bulkDepartment: 'A department…',
    department: 'Department',
    subtree: 'Include sub-departments',
    add: 'Add them',
    inIt: (n: number) => `${n} people are in it.`,
    count: (n: number) => `${n} / 1000 members`,
  },
  {
    menu: '简体中文',
    shot: '-zh',
    templateXlsx: '下载模板（Excel）',
    start: '开始导入',
    created: '新建',
    failed: '未导入',
    search: '按姓名、拼音、邮箱或工号搜索',
    bulkMenu: '批量添加成员',
    bulkDepartment: '按部门添加…',
    department: '部门',
    subtree: '包含子部门',
    add: '添加',
    inIt: (n: number) => `其中共有 ${n} 人。`,
    count: (n: number) => `${n} / 1000 名成员`,
  },
];

/** The columns the import reads, in the template's order. */
const columns = [
  'external_id', 'email', 'display_name', 'departments', 'primary_department', 'leader_of', 'locale', 'time_zone', 'active',
  'employee_number', 'job_title', 'mobile', 'work_location', 'manager', 'hire_date',
];

type Person = Partial<Record<(typeof columns)[number], string | Date>>;

/**
 * fillTemplate writes people into the template's first sheet in place of its example row, as an
 * HR admin does in Excel, and saves the workbook.
 */
async function fillTemplate(template: string, out: string, people: Person[]) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(template);
  const sheet = book.worksheets[0];
  expect(sheet.getRow(1).values).toEqual([undefined, ...columns]);
  people.forEach((p, i) => {
    const row = sheet.getRow(i + 2);
    columns.forEach((c, j) => {
      const cell = row.getCell(j + 1);
      const v = p[c];
      cell.value = v ?? null;
      // A date typed into Excel is a date cell; the import reads it whatever its format.
      if (v instanceof Date) cell.numFmt = 'yyyy/m/d';
    });
    row.commit();
  });
  await book.xlsx.writeFile(out);
}

/** peopleRow is a person's row of the console's people table, found by the search. */
async function peopleRow(page: Page, search: string, name: string) {
  const box = page.getByPlaceholder(search);
  await box.fill(name);
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toHaveCount(1);
  return row;
}

test('an .xlsx import made from the downloaded template, with Chinese names and employee details, in both languages at 1280 and 375 px', async ({ page }, info) => {
  const problems = watch(page, 'owner');
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, ownerEmail, ownerPassword);

  for (const [i, l] of languages.entries()) {
    // Chinese is done on a phone, English at desktop width; each is shown at the other width after.
    const wide = i === 0;
    await page.setViewportSize({ width: 1280, height: 900 });
    await useLanguage(page, l.menu);
    if (!wide) await page.setViewportSize({ width: 375, height: 812 });
    const s = `${Date.now().toString(36)}${i}`;
    const dept = `研发部${s}`;
    const email = (who: string) => `${who}.${s}@e2e.canopy.test`;

    await page.goto('/console/import');
    const downloading = page.waitForEvent('download');
    await page.getByRole('link', { name: l.templateXlsx }).or(page.getByRole('button', { name: l.templateXlsx })).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const template = info.outputPath(`template-${s}.xlsx`);
    await download.saveAs(template);

    const filled = info.outputPath(`people-${s}.xlsx`);
    await fillTemplate(template, filled, [
      { external_id: `ZW-${s}`, email: email('zhang.wei'), display_name: `张伟${s}`, departments: `${dept}/后端`, employee_number: `${s}-001`,
        job_title: '工程师', mobile: '+86 138 0013 8000', work_location: '上海', hire_date: new Date(Date.UTC(2024, 2, 1)) },
      { external_id: `LN-${s}`, email: email('li.na'), display_name: `李娜${s}`, departments: dept, employee_number: `${s}-002`,
        job_title: '经理', manager: email('zhang.wei'), hire_date: '2021-07-15', locale: 'zh-CN', time_zone: 'Asia/Shanghai' },
      // A mobile without its country code is reported on its row, as Excel numbers it.
      { external_id: `WF-${s}`, email: email('wang.fang'), display_name: `王芳${s}`, departments: dept, mobile: '13800138000' },
    ]);

    await page.locator('input[type=file]').setInputFiles(filled);
    await page.getByRole('button', { name: l.start }).click();
    const result = page.locator('.ant-descriptions');
    await expect(result.locator('.ant-descriptions-item').filter({ hasText: l.created })).toContainText('2');
    await expect(result.locator('.ant-descriptions-item').filter({ hasText: l.failed })).toContainText('1');
    const issue = page.locator('.import-report').getByRole('row').filter({ hasText: 'invalid_mobile' });
    await expect(issue).toContainText(`WF-${s}`);
    await expect(issue.getByRole('cell').first()).toHaveText('4');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${shots}/console-import${l.shot}-${wide ? 1280 : 375}.png`, fullPage: true });

    // The people are in the people table with their employee numbers and departments (on a
    // phone the table shows a person in one cell, without the employee number).
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/console/members');
    const zhang = await peopleRow(page, l.search, `张伟${s}`);
    await expect(zhang).toContainText(`${s}-001`);
    await expect(zhang).toContainText('后端');
    const li = await peopleRow(page, l.search, `李娜${s}`);
    await expect(li).toContainText(`${s}-002`);
    await expect(li).toContainText(dept);
    await expect(page.getByRole('row').filter({ hasText: `王芳${s}` })).toHaveCount(0);

    // The API says the same, the details the table does not show by default included.
    const api = await apiFor(page.context());
    const people = await api.call('GET', `/api/v1/admin/orgs/${api.orgID}/people?q=${encodeURIComponent(`李娜${s}`)}`);
    expect(people.status).toBe(200);
    const p = people.body.items[0];
    expect([p.employee_number, p.job_title, p.hire_date, p.manager?.name]).toEqual([`${s}-002`, '经理', '2021-07-15', `张伟${s}`]);
    const z = (await api.call('GET', `/api/v1/admin/orgs/${api.orgID}/people?q=${encodeURIComponent(`张伟${s}`)}`)).body.items[0];
    expect([z.mobile, z.work_location, z.hire_date]).toEqual(['+8613800138000', '上海', '2024-03-01']);

    // The other width: the import page.
    if (wide) await page.setViewportSize({ width: 375, height: 812 });
    await page.goto('/console/import');
    await expect(page.getByRole('link', { name: l.templateXlsx }).or(page.getByRole('button', { name: l.templateXlsx }))).toBeVisible();
    await page.screenshot({ path: `${shots}/console-import${l.shot}-${wide ? 375 : 1280}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await useEnglish(page);
  expect(problems).toEqual([]);
});

test('a whole department, with its sub-departments, is added to a group from the group’s page, in both languages at 1280 and 375 px', async ({ page }) => {
  const problems = watch(page, 'owner');
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, ownerEmail, ownerPassword);
  const api = await apiFor(page.context());
  const adm = `/api/v1/admin/orgs/${api.orgID}`;

  for (const [i, l] of languages.entries()) {
    const s = `${Date.now().toString(36)}${i}`;
    const top = `销售部${s}`;
    // Three people in the department, two more in its sub-department, one elsewhere.
    const users = [
      ...['赵强', '钱敏', '孙丽'].map((n, j) => ({ departments: [top], name: n, j })),
      ...['周杰', '吴芳'].map((n, j) => ({ departments: [`${top}/华东`], name: n, j: j + 3 })),
      { departments: [`其他${s}`], name: '郑浩', j: 5 },
    ].map((u) => ({ external_id: `B${u.j}-${s}`, email: `bulk${u.j}.${s}@e2e.canopy.test`, display_name: `${u.name}${s}`, departments: u.departments }));
    const job = await api.call('POST', `${adm}/imports`, { users });
    expect(job.status).toBe(202);
    await expect(async () => {
      const j = await api.call('GET', `${adm}/imports/${job.body.id}`);
      expect([j.body.status, j.body.created_rows]).toEqual(['done', 6]);
    }).toPass({ timeout: 60_000 });
    const group = await api.call('POST', `${adm}/groups`, { name: `项目组${s}` });
    expect(group.status).toBe(201);

    await page.setViewportSize({ width: 1280, height: 900 });
    await useLanguage(page, l.menu);
    const width = i === 0 ? 1280 : 375;
    await page.setViewportSize(width === 1280 ? { width: 1280, height: 900 } : { width: 375, height: 812 });
    await page.goto(`/console/groups/${group.body.id}`);
    await expect(page.getByText(l.count(0))).toBeVisible();
    await page.getByRole('button', { name: l.bulkMenu }).click();
    await page.getByRole('menuitem', { name: l.bulkDepartment }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('switch', { name: l.subtree })).toBeChecked();
    const picker = dialog.getByRole('combobox', { name: l.department });
    await picker.click();
    await picker.fill(top);
    await pickOption(page, top);
    await expect(dialog.getByTestId('bulk-count')).toHaveText(l.inIt(5));
    await page.screenshot({ path: `${shots}/console-group-bulk${l.shot}-${width}.png`, fullPage: true });
    await dialog.getByRole('button', { name: l.add }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText(l.count(5))).toBeVisible();
    for (const name of ['赵强', '吴芳']) await expect(page.getByRole('row').filter({ hasText: `${name}${s}` })).toHaveCount(1);
    await expect(page.getByRole('row').filter({ hasText: `郑浩${s}` })).toHaveCount(0);

    // At the other width, the group's page with its five members.
    await page.setViewportSize(width === 1280 ? { width: 375, height: 812 } : { width: 1280, height: 900 });
    await expect(page.getByText(l.count(5))).toBeVisible();
    await page.screenshot({ path: `${shots}/console-group-bulk${l.shot}-${width === 1280 ? 375 : 1280}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await useEnglish(page);
  expect(problems).toEqual([]);
});
