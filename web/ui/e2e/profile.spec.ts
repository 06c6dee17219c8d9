import { expect, test } from '@playwright/test';
import { useEnglish } from './helpers';

const ownerEmail = process.env.CANOPY_E2E_OWNER_EMAIL ?? '';
const ownerPassword = process.env.CANOPY_E2E_OWNER_PASSWORD ?? '';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

test('a user creates an API token, sees its secret once, revokes it, and signs out', async ({ page }) => {
  await page.goto('/profile');
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  await page.getByLabel('Email').fill(ownerEmail);
  await page.getByLabel('Password').fill(ownerPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/profile$/);

  // The owner may have switched to Chinese in another test: use English for this one.
  await useEnglish(page);
  await expect(page.getByRole('heading', { name: 'Profile', level: 1 })).toBeVisible();

  const name = `ci-${Date.now()}`;
  await page.getByLabel('Token name').fill(name);
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('This is the only time the token is shown')).toBeVisible();
  const secret = await dialog.getByLabel(`Token “${name}”`).inputValue();
  expect(secret.length).toBeGreaterThan(20);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  // The secret is not shown again.
  await expect(page.getByText(secret)).toHaveCount(0);

  // The token works as a bearer token for the API.
  const me = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);

  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: `Revoke the token ${name}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('Revoked');
  const after = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);

  // Signing out ends the session: the app is behind sign-in again.
  await page.getByRole('button', { name: /^Account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/profile');
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
});
