import { expect, test } from '@playwright/test';

const ownerEmail = process.env.CANOPY_E2E_OWNER_EMAIL ?? '';
const ownerPassword = process.env.CANOPY_E2E_OWNER_PASSWORD ?? '';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

test('a user creates a second organisation and switches between them', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(ownerEmail);
  await page.getByLabel('Password').fill(ownerPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/messages$/);
  const first = (await page.getByRole('button', { name: /^(Organisation|组织): / }).getAttribute('aria-label'))!.replace(/^[^:]+: /, '');

  // Create it from the organisation switcher.
  await page.getByRole('button', { name: /^(Organisation|组织): / }).click();
  await page.getByRole('menuitem', { name: /Create organisation|创建组织/ }).click();
  await expect(page).toHaveURL(/\/orgs\/new$/);
  const name = `Second ${Date.now()}`;
  await page.getByLabel(/Organisation name|组织名称/).fill(name);
  await page.getByRole('button', { name: /^(Create organisation|创建组织)$/ }).click();

  // Its owner lands in its console's setup guide, nothing done yet; its members are only themselves.
  await expect(page).toHaveURL(/\/console\/setup$/);
  await expect(page.getByText(/^(0 of 6 done|已完成 0\/6)$/)).toBeVisible();
  await page.goto('/console/members');
  const switcher = page.getByRole('button', { name: new RegExp(`: ${name}$`) });
  await expect(switcher).toBeVisible();
  // The people table: the header row and the owner.
  await expect(page.locator('.people-table').getByRole('row')).toHaveCount(2);

  // Switch back to the first organisation.
  await switcher.click();
  await page.getByRole('menuitem', { name: first }).click();
  await expect(page.getByRole('button', { name: new RegExp(`: ${first}$`) })).toBeVisible();
  await expect(page.locator('.page-description')).toHaveText(first);
});
