import { expect, test, type APIRequestContext } from '@playwright/test';
import { createInvitation, join, ownerEmail, ownerPassword, signIn, useEnglish, watch } from './helpers';

const mailpit = process.env.CANOPY_E2E_MAILPIT_URL ?? '';

/** resetLinkFor waits for the password-reset mail to address in mailpit and returns its link's path. */
async function resetLinkFor(request: APIRequestContext, address: string): Promise<string> {
  let path = '';
  await expect(async () => {
    const list = await (await request.get(`${mailpit}/api/v1/messages?limit=200`)).json();
    const message = list.messages.find((m: { To: { Address: string }[] }) => m.To.some((to) => to.Address === address));
    expect(message).toBeTruthy();
    const full = await (await request.get(`${mailpit}/api/v1/message/${message.ID}`)).json();
    const link = /\/reset-password\/[A-Za-z0-9_-]+/.exec(full.Text);
    expect(link).toBeTruthy();
    path = link![0];
  }).toPass({ timeout: 30_000 });
  return path;
}

// A password reset requested in the browser arrives in mailpit; its link sets a new password
// once, and the new password signs in.
test('password reset: requested in the browser, mailed, and usable once', async ({ browser, playwright }) => {
  expect(mailpit, 'CANOPY_E2E_MAILPIT_URL (the Makefile sets it)').not.toBe('');
  const s = Date.now().toString(36);
  const email = `reset.${s}@e2e.canopy.test`;

  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await signIn(owner, ownerEmail, ownerPassword);
  await useEnglish(owner);
  const member = await join(browser, await createInvitation(owner), email, `Reset Member ${s}`, 'Moss-Reset-e2e-42');
  await member.context.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watch(page, 'visitor');
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password', level: 1 })).toBeVisible();
  // The form may render again as the page settles (a full run once lost the typed email): type
  // until the field holds it.
  await expect(async () => {
    await page.getByLabel('Email').fill(email);
    await expect(page.getByLabel('Email')).toHaveValue(email, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByText(/a link to reset its password is on its way/)).toBeVisible();

  const api = await playwright.request.newContext();
  const link = await resetLinkFor(api, email);
  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill('Brand-New-Fern-42');
  await page.getByLabel('Repeat the password').fill('Brand-New-Fern-42');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText('Your password is set. Sign in with it.')).toBeVisible();
  await signIn(page, email, 'Brand-New-Fern-42');

  // The link works once: opened again, signed out, it is refused.
  const fresh = await browser.newContext();
  const again = await fresh.newPage();
  await again.goto(link);
  await again.getByLabel('New password', { exact: true }).fill('Another-New-Fern-42');
  await again.getByLabel('Repeat the password').fill('Another-New-Fern-42');
  await again.getByRole('button', { name: 'Set the password' }).click();
  await expect(again.getByText(/This link is not valid any more/)).toBeVisible();
  await fresh.close();

  expect(problems).toEqual([]);
  await api.dispose();
  await context.close();
  await ownerContext.close();
});
