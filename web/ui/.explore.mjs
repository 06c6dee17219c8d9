import { chromium } from '@playwright/test';
const base = 'http://127.0.0.1:18090';
const [,, ...paths] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const width = Number(process.env.W ?? 1280);
const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-US', timezoneId: 'Asia/Shanghai' });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('CONSOLE', m.type(), m.text().slice(0, 300)); });
await page.goto(base + '/login');
await page.getByLabel('Email').fill(process.env.EMAIL ?? 'a@b.test');
await page.getByLabel('Password').fill(process.env.PW ?? 'Some-Long-Pass-1');
await page.getByRole('button', { name: /Sign in|登录/ }).click();
await page.waitForURL(/messages/);
for (const p of paths) {
  await page.goto(base + p);
  await page.waitForTimeout(1500);
  const name = p.replace(/[^a-z0-9]+/gi, '_');
  await page.screenshot({ path: `/tmp/shots/${name}-${width}.png`, fullPage: true });
  console.log('shot', name);
}
await browser.close();
