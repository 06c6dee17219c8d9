import { expect, test } from '@playwright/test';
import { ownerEmail, ownerPassword, shots, signIn, useEnglish, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

// The e2e organisation manages the e2e.canopy.test domain, so the accounts an import creates there
// are its own to activate.
const domain = 'e2e.canopy.test';

test('people an import created activate their accounts with links from the console, then sign in', async ({ page, browser }) => {
  const problems = watch(page, 'owner');
  const s = Date.now().toString(36);
  const people = [1, 2, 3].map((i) => ({ id: `ACT-${s}-${i}`, email: `act${i}.${s}@${domain}`, name: `Activation ${s} ${i}` }));
  const password = `Fern-and-moss-${s}`;

  // The owner imports three people, who have no password yet.
  await signIn(page, ownerEmail, ownerPassword);
  await useEnglish(page);
  await page.goto('/console/import');
  await expect(page.getByRole('heading', { name: 'Bulk import', level: 1 })).toBeVisible();
  const csv = ['external_id,email,display_name', ...people.map((p) => `${p.id},${p.email},${p.name}`)].join('\n');
  await page.locator('input[type="file"]').setInputFiles({ name: 'new-people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Start import' }).click();
  const job = page.locator('.ant-card').filter({ has: page.getByRole('heading', { name: 'Import', exact: true }) });
  await expect(job.getByText('Done')).toBeVisible();
  await expect(job.getByText('3 of 3 rows processed.')).toBeVisible();

  // The import's result gives every new person a link.
  await job.getByRole('button', { name: 'Activation links for new people' }).click();
  for (const p of people) {
    await expect(job.getByRole('row').filter({ hasText: p.email })).toContainText('/activate/');
  }

  // The members page marks them as pending, and issues one of them a new link (ending the one above).
  await page.goto('/console/members');
  await page.getByLabel('Search by name, pinyin, email or employee number').fill(people[1].email);
  const row = page.getByRole('row').filter({ hasText: people[1].email });
  await expect(row.getByText('Pending activation')).toBeVisible();
  await row.getByRole('button', { name: `Activation link for ${people[1].name}` }).click();
  const dialog = page.getByRole('dialog');
  const field = dialog.getByLabel('Activation link', { exact: true });
  await expect(field).toHaveValue(/\/activate\/[^/]+$/);
  const link = new URL(await field.inputValue());
  const qr = dialog.getByRole('img', { name: `QR code of the activation link for ${people[1].name}` });
  await expect(qr).toBeVisible();
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await page.screenshot({ path: `${shots}/console-activation-link-1280.png` });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();

  // The person opens it in a browser that has never signed in, and chooses a password.
  const context = await browser.newContext();
  const newcomer = await context.newPage();
  const newcomerProblems = watch(newcomer, 'newcomer');
  await newcomer.goto(link.pathname);
  await expect(newcomer.getByRole('heading', { name: /^Activate your .+ account$/ })).toBeVisible();
  await expect(newcomer.getByText(people[1].email)).toBeVisible();
  await newcomer.getByLabel('Choose a password').fill(password);
  await newcomer.getByLabel('Repeat the password').fill(password);
  await newcomer.getByRole('button', { name: 'Activate account' }).click();

  // It leads to sign in, with the email filled in.
  await expect(newcomer).toHaveURL(/\/login\?email=/);
  await expect(newcomer.getByText('Your account is activated. Sign in with your new password.')).toBeVisible();
  await expect(newcomer.getByLabel('Email')).toHaveValue(people[1].email);

  // The link worked once.
  const again = await context.newPage();
  await again.goto(link.pathname);
  await expect(again.getByRole('heading', { name: 'This activation link can’t be used' })).toBeVisible();
  await again.close();

  // The new password signs in, and the app opens.
  await newcomer.getByLabel('Password').fill(password);
  await newcomer.getByRole('button', { name: 'Sign in' }).click();
  await expect(newcomer).toHaveURL(/\/messages$/);
  await expect(newcomer.getByRole('heading', { name: /^(Messages|消息)$/, level: 1 })).toBeVisible();
  const me = await (await newcomer.request.get('/api/v1/me')).json();
  expect(me.user.email).toBe(people[1].email);

  // The owner's list no longer marks them as pending.
  await page.reload();
  await page.getByLabel('Search by name, pinyin, email or employee number').fill(people[1].email);
  await expect(page.getByRole('row').filter({ hasText: people[1].email })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: people[1].email }).getByText('Pending activation')).toHaveCount(0);

  await context.close();
  expect([...problems, ...newcomerProblems]).toEqual([]);
});
