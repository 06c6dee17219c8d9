import { expect, test, type Page } from '@playwright/test';
import { ownerEmail, ownerPassword, signIn, useEnglish } from './helpers';

/** animationsSeen opens the account menu and returns the motion classes its popup went through (ant-slide-up-appear-active…). */
async function animationsSeen(page: Page): Promise<string[]> {
  await page.evaluate(() => {
    const seen = new Set<string>();
    (window as unknown as { seen: Set<string> }).seen = seen;
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as Element;
        for (const c of el.classList ?? []) if (/^ant-(slide|zoom|fade|move)/.test(c)) seen.add(c);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
  });
  await page.getByRole('button', { name: /^Account menu/ }).click();
  await expect(page.getByRole('menuitem', { name: 'Sign out' })).toBeVisible();
  return page.evaluate(() => [...(window as unknown as { seen: Set<string> }).seen]);
}

// Popups and dialogs slide and zoom into place, unless the user asked their system for less motion.
for (const reducedMotion of ['no-preference', 'reduce'] as const) {
  test.describe(`prefers-reduced-motion: ${reducedMotion}`, () => {
    test.use({ reducedMotion });

    test('popups animate only for those who did not ask for less motion', async ({ page }) => {
      await signIn(page, ownerEmail, ownerPassword);
      await useEnglish(page);
      const seen = await animationsSeen(page);
      // A popup is measured in a "prepare" step either way; the animation itself runs in "active".
      const animated = seen.filter((c) => c.endsWith('-active'));
      if (reducedMotion === 'reduce') expect(animated).toEqual([]);
      else expect(animated).not.toEqual([]);
    });
  });
}
