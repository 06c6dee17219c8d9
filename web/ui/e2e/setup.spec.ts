import { expect, test } from '@playwright/test';
import { ownerEmail, ownerPassword, shots, signIn, useEnglish, useLanguage, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

test('a new organisation’s owner is guided through its setup, step by step, and may hide the guide', async ({ page }) => {
  const problems = watch(page, 'owner');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/login');
  await signIn(page, ownerEmail, ownerPassword);
  await expect(page).toHaveURL(/\/messages$/);
  await useEnglish(page);

  // A new organisation: its owner lands on the guide, nothing done yet.
  await page.getByRole('button', { name: /^(Organisation|组织): / }).click();
  await page.getByRole('menuitem', { name: /Create organisation|创建组织/ }).click();
  await page.getByLabel(/Organisation name|组织名称/).fill(`Guided ${Date.now().toString(36)}`);
  await page.getByRole('button', { name: /^(Create organisation|创建组织)$/ }).click();
  await expect(page).toHaveURL(/\/console\/setup$/);
  await expect(page.getByRole('heading', { name: 'Set up your organisation', level: 1 })).toBeVisible();
  await expect(page.getByText('0 of 6 done')).toBeVisible();
  await expect(page.getByTestId('setup-step-departments')).toHaveAttribute('data-done', 'false');

  // A step's link opens its page; doing it there ticks the step.
  await page.getByRole('link', { name: 'Open: Department tree' }).click();
  await expect(page).toHaveURL(/\/console\/departments$/);
  await page.getByRole('button', { name: 'Add sub-department' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Department name').fill('Engineering');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('tree', { name: 'Department tree' }).getByText('Engineering', { exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Setup guide' }).click();
  await expect(page.getByTestId('setup-step-departments')).toHaveAttribute('data-done', 'true');
  await expect(page.getByText('1 of 6 done')).toBeVisible();
  await page.screenshot({ path: `${shots}/console-setup-1280.png` });

  // In Chinese, and on a phone.
  await useLanguage(page, '简体中文');
  await expect(page.getByRole('heading', { name: '设置你的组织', level: 1 })).toBeVisible();
  await expect(page.getByText('已完成 1/6')).toBeVisible();
  await page.setViewportSize({ width: 375, height: 812 });
  await expect(page.getByTestId('setup-step-people')).toBeVisible();
  await page.screenshot({ path: `${shots}/console-setup-zh-375.png`, fullPage: true });
  // The language menu is in the header at desktop width.
  await page.setViewportSize({ width: 1280, height: 900 });
  await useEnglish(page);
  await page.setViewportSize({ width: 375, height: 812 });
  await expect(page.getByText('1 of 6 done')).toBeVisible();
  await page.screenshot({ path: `${shots}/console-setup-375.png`, fullPage: true });

  // Hidden, the guide no longer opens the console, and stays in the menu.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('button', { name: 'Hide the guide' }).click();
  await expect(page.getByText('The guide is hidden. It stays here in the menu.')).toBeVisible();
  await page.goto('/console');
  await expect(page).toHaveURL(/\/console\/members$/);
  await expect(page.getByRole('link', { name: 'Setup guide' })).toBeVisible();
  expect(problems).toEqual([]);
});
