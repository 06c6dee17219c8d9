import { expect, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const ownerEmail = process.env.CANOPY_E2E_OWNER_EMAIL ?? '';
export const ownerPassword = process.env.CANOPY_E2E_OWNER_PASSWORD ?? '';
export const shots = '../../test-output/screenshots';

/** watch collects uncaught page errors and Content-Security-Policy violations. */
export function watch(page: Page, who: string): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`${who}: page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`${who}: ${msg.text()}`);
  });
  return problems;
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/messages$/);
}

/**
 * useLanguage switches the UI (and the profile) to a language through the header's switch. The
 * menu closes if the header renders again while it opens (the page's data arriving), so it is
 * opened again until the choice has taken.
 */
export async function useLanguage(page: Page, menu: string) {
  const language = page.getByRole('button', { name: /^(Language|语言)/ });
  await expect(async () => {
    if ((await language.getAttribute('aria-label'))?.endsWith(menu)) return;
    if ((await page.getByRole('menuitem', { name: menu }).count()) === 0) await language.click();
    await page.getByRole('menuitem', { name: menu }).click({ timeout: 5_000 });
    await expect(language).toHaveAttribute('aria-label', new RegExp(`${menu}$`), { timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
}

/** useEnglish switches to English; other tests may have left the owner in Chinese. */
export const useEnglish = (page: Page) => useLanguage(page, 'English');

/** createInvitation makes an invitation link in the console and returns its path. */
export async function createInvitation(page: Page): Promise<string> {
  await page.goto('/console/members');
  await page.getByRole('button', { name: 'Invite members' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Create invitation link' }).click();
  const link = dialog.getByLabel('Invitation link');
  await expect(link).toHaveValue(/\/invite\/[^/]+$/);
  const url = await link.inputValue();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  return new URL(url).pathname;
}

/** join opens an invitation in a new browser context and creates an account there. */
export async function join(browser: Browser, invitePath: string, email: string, name: string, password: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watch(page, name);
  await page.goto(invitePath);
  await expect(page.getByRole('heading', { name: /^Join / })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account and join' }).click();
  await expect(page).toHaveURL(/\/messages$/);
  return { context, page, problems };
}

/** pickOption chooses an option of the open Ant Design select or tree select. */
export async function pickOption(page: Page, text: string | RegExp) {
  const option = page.locator('.ant-select-dropdown:visible').locator('.ant-select-item-option, .ant-select-tree-node-content-wrapper').filter({ hasText: text });
  await option.first().click();
}

/** API is the Canopy API as the signed-in user of a context, with the CSRF header writes need. */
export async function apiFor(context: BrowserContext) {
  const csrf = (await context.cookies()).find((c) => c.name === 'canopy_csrf')?.value ?? '';
  const request: APIRequestContext = context.request;
  const me = await (await request.get('/api/v1/me')).json();
  const orgID: string = me.organisations[0].id;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await request.fetch(path, {
      method,
      headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
      data: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status(), body: text ? JSON.parse(text) : undefined };
  };
  return { orgID, call };
}

/** gotoDepartment selects a department in the console's tree, opening its ancestors first. */
export async function selectInTree(page: Page, names: string[]) {
  const tree = page.getByRole('tree', { name: 'Department tree' });
  for (const [i, name] of names.entries()) {
    const item = tree.getByRole('treeitem').filter({ has: page.getByText(name, { exact: true }) });
    await expect(item).toBeVisible();
    if (i < names.length - 1) {
      if ((await item.getAttribute('aria-expanded')) !== 'true') await item.locator('.ant-tree-switcher').click();
      await expect(item).toHaveAttribute('aria-expanded', 'true');
    } else {
      await item.getByText(name, { exact: true }).click();
      await expect(page.getByRole('heading', { name, level: 2 })).toBeVisible();
    }
  }
}
