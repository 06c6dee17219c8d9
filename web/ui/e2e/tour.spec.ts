import { expect, test, type Page } from '@playwright/test';
import { ownerEmail, ownerPassword, shots, signIn, useEnglish, useLanguage, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

// A walk through every page of the console as the owner, in both languages, on a laptop and on a
// phone: each page opens on its own URL with its heading, finishes loading without a page error,
// and is photographed for docs/screenshots/. It runs last (by its name), when
// the other specs have left people, groups, chats and tasks behind.

const PAGES = [
  'setup',
  'members',
  'departments',
  'groups',
  'roles',
  'assignments',
  'audit',
  'import',
  'scim',
  'files',
  'tasks',
  'chats',
  'announcements',
  'content-rules',
  'webhooks',
  'settings',
] as const;

/** loaded waits until the page's data has arrived: no spinner, no "Loading…" status. */
async function loaded(page: Page) {
  await expect(page.locator('main h1').first()).toBeVisible();
  await expect(page.locator('.ant-spin-spinning')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: /^(Loading…|加载中…)$/ })).toHaveCount(0);
}

for (const lang of [
  { menu: 'English', suffix: '' },
  { menu: '简体中文', suffix: '-zh' },
]) {
  test(`every console page, in ${lang.menu}, at 1280 and 375 px`, async ({ page }) => {
    test.setTimeout(600_000);
    const problems = watch(page, 'owner');
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, ownerEmail, ownerPassword);
    await useEnglish(page);
    if (lang.menu !== 'English') await useLanguage(page, lang.menu);
    for (const name of PAGES) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`/console/${name}`);
      await expect(page).toHaveURL(new RegExp(`/console/${name}$`));
      await loaded(page);
      await page.screenshot({ path: `${shots}/console-${name}${lang.suffix}-1280.png` });

      await page.setViewportSize({ width: 375, height: 812 });
      await loaded(page);
      // How far the page runs off a phone's side is reported, not asserted: with the data the
      // other specs leave, several pages run 14 to 16 px over (roles, assignments, chats,
      // settings, content rules), a known defect to fix.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 1) test.info().annotations.push({ type: 'wider than the phone', description: `/console/${name}: ${overflow} px` });
      await page.screenshot({ path: `${shots}/console-${name}${lang.suffix}-375.png`, fullPage: true });
    }
    expect(problems).toEqual([]);
  });
}
