import { expect, test } from '@playwright/test';
import { ownerEmail, ownerPassword, shots, signIn, useEnglish, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

test('an admin imports a CSV file and reads the report of the rows that failed', async ({ page }) => {
  const problems = watch(page, 'owner');
  const s = Date.now().toString(36);
  await signIn(page, ownerEmail, ownerPassword);
  await useEnglish(page);
  await page.goto('/console/import');
  await expect(page.getByRole('heading', { name: 'Bulk import', level: 1 })).toBeVisible();

  const csv = [
    'external_id,email,display_name,departments,primary_department',
    `IMP-${s}-1,imp1.${s}@e2e.canopy.test,导入一号,Imported ${s}/Team A,Imported ${s}/Team A`,
    `IMP-${s}-2,not-an-email,Bad Row,,`,
  ].join('\n');
  await page.locator('input[type="file"]').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByText('people.csv')).toBeVisible();
  await page.getByRole('button', { name: 'Start import' }).click();

  const job = page.locator('.ant-card').filter({ has: page.getByRole('heading', { name: 'Import', exact: true }) });
  await expect(job.getByText('Done')).toBeVisible();
  await expect(job.getByText('2 of 2 rows processed.')).toBeVisible();
  await expect(job.getByRole('progressbar', { name: 'Import progress' })).toHaveAttribute('aria-valuenow', '100');
  const report = job.getByRole('row').filter({ hasText: `IMP-${s}-2` });
  await expect(report).toContainText('3');
  await expect(report).toContainText('Member');
  // The recent imports list has it too.
  await expect(page.getByRole('row').filter({ hasText: '1 applied, 1 not, of 2' }).first()).toBeVisible();

  // The imported member is in the directory, in the department the file named.
  const found = await page.request.get(`/api/v1/orgs/${(await (await page.request.get('/api/v1/me')).json()).organisations[0].id}/search?q=${encodeURIComponent(`imp1.${s}`)}`);
  expect((await found.json()).people).toHaveLength(1);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${shots}/console-import-1280.png`, fullPage: true });
  expect(problems).toEqual([]);
});

test('an admin creates a SCIM token, sees it once, and revokes it', async ({ page }) => {
  const problems = watch(page, 'owner');
  const name = `Okta ${Date.now().toString(36)}`;
  await signIn(page, ownerEmail, ownerPassword);
  await useEnglish(page);
  await page.goto('/console/scim');
  await expect(page.getByLabel('SCIM base URL')).toHaveValue(/\/scim\/v2$/);

  await page.getByLabel('Token name').fill(name);
  await page.getByRole('button', { name: 'Create SCIM token' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('This is the only time the token is shown')).toBeVisible();
  const secret = await dialog.getByLabel(`Token “${name}”`).inputValue();
  expect(secret.length).toBeGreaterThan(20);
  const base = new URL(await dialog.getByLabel('SCIM base URL').inputValue()).pathname;
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(secret)).toHaveCount(0);

  // The identity provider can use it at the SCIM endpoint.
  const users = await page.request.get(`${base}/Users?count=1`, { headers: { Authorization: `Bearer ${secret}` } });
  expect(users.status()).toBe(200);

  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: `Revoke the SCIM token ${name}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('Revoked');
  const after = await page.request.get(`${base}/Users?count=1`, { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
  expect(problems).toEqual([]);
});
