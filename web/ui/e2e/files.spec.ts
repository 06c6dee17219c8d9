import { expect, test, type Page } from '@playwright/test';
import { apiFor, createInvitation, join, ownerEmail, ownerPassword, pickOption, signIn, useEnglish, watch } from './helpers';

test.skip(!ownerEmail || !ownerPassword, 'set CANOPY_E2E_OWNER_EMAIL and CANOPY_E2E_OWNER_PASSWORD (make e2e does)');

// The screenshots of the files module go with its documentation.
const docs = '../../docs/screenshots';

/** toBuffer reads bytes the page made, sent back as base64. */
const toBuffer = (b64: string) => Buffer.from(b64, 'base64');

/** makeImage draws a small PNG in the page, so the test ships no binary fixture. */
async function makeImage(page: Page): Promise<Buffer> {
  return toBuffer(
    await page.evaluate(() => {
      const canvas = document.createElement('canvas');
      canvas.width = 480;
      canvas.height = 270;
      const ctx = canvas.getContext('2d')!;
      const g = ctx.createLinearGradient(0, 0, 480, 270);
      g.addColorStop(0, '#177245');
      g.addColorStop(1, '#9fd8b8');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, 480, 270);
      ctx.fillStyle = '#fff';
      ctx.font = 'bold 40px sans-serif';
      ctx.fillText('Canopy 2030', 110, 150);
      return canvas.toDataURL('image/png').split(',')[1];
    }),
  );
}

/**
 * makeVideo records a second of WebM (VP8) from an animated canvas with MediaRecorder, a valid
 * video of a few kilobytes that Chromium plays.
 */
async function makeVideo(page: Page): Promise<Buffer> {
  return toBuffer(
    await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 160;
      canvas.height = 120;
      const ctx = canvas.getContext('2d')!;
      const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: 'video/webm;codecs=vp8' });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((resolve) => (recorder.onstop = resolve));
      recorder.start(100);
      for (let i = 0; i < 20; i++) {
        ctx.fillStyle = `hsl(${i * 18}, 70%, 45%)`;
        ctx.fillRect(0, 0, 160, 120);
        ctx.fillStyle = '#fff';
        ctx.fillText(String(i), 70, 64);
        await new Promise((r) => setTimeout(r, 60));
      }
      recorder.stop();
      await stopped;
      const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    }),
  );
}

/** settled waits until dialogs and messages have finished appearing, for a clean screenshot. */
async function settled(page: Page) {
  await expect(page.locator('.ant-zoom-appear, .ant-zoom-enter, .ant-zoom-leave, .ant-fade-appear, .ant-fade-enter, .ant-move-up-enter')).toHaveCount(0);
}

/** rowAction opens the actions of a row of the files table and picks one. */
async function rowAction(page: Page, name: string, action: string | RegExp) {
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: action, exact: typeof action === 'string' }).click();
}

test('files: uploads with progress, previews, sharing with a group, the retention floor, and a password link', async ({ browser }) => {
  const s = Date.now().toString(36);
  const folder = `Campaign ${s}`;
  const groupName = `Design ${s}`;
  const password = `Fern-link-${s}`;

  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ownerProblems = watch(owner, 'owner');
  await signIn(owner, ownerEmail, ownerPassword);
  await useEnglish(owner);

  // A colleague joins, and the owner puts them in a group.
  const invite = await createInvitation(owner);
  const member = await join(browser, invite, `gao.${s}@e2e.canopy.test`, `Gao Member ${s}`, 'Moss-Gao-e2e-42');
  const ownerAPI = await apiFor(ownerContext);
  const group = await ownerAPI.call('POST', `/api/v1/admin/orgs/${ownerAPI.orgID}/groups`, { name: groupName });
  expect(group.status).toBe(201);
  const memberMe = (await (await member.context.request.get('/api/v1/me')).json()) as { user: { id: string } };
  const added = await ownerAPI.call('PUT', `/api/v1/admin/orgs/${ownerAPI.orgID}/groups/${group.body.id}/members/${memberMe.user.id}`, { role: 'member' });
  expect(added.status).toBe(204);

  // The owner's files: a new folder in their own space.
  await owner.goto('/files');
  await expect(owner.getByRole('heading', { name: 'Files', level: 1 })).toBeVisible();
  await expect(owner).toHaveURL(/\/files\/[0-9a-f-]{36}$/);
  await owner.getByRole('button', { name: 'New folder' }).click();
  const nameDialog = owner.getByRole('dialog');
  await nameDialog.getByLabel('Name').fill(folder);
  await nameDialog.getByRole('button', { name: 'Create' }).click();
  await expect(nameDialog).toBeHidden();
  await owner.getByRole('link', { name: folder }).click();
  await expect(owner.locator('.files-breadcrumb')).toContainText(folder);

  // Several files at once, each with its own progress bar. The network is slowed so the
  // progress of the largest can be seen moving.
  const image = await makeImage(owner);
  const video = await makeVideo(owner);
  expect(video.length).toBeGreaterThan(1000);
  const cdp = await ownerContext.newCDPSession(owner);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 10, downloadThroughput: -1, uploadThroughput: 600 * 1024 });
  await owner.locator('input[type=file]').setInputFiles([
    { name: 'banner.png', mimeType: 'image/png', buffer: image },
    { name: 'clip.webm', mimeType: 'video/webm', buffer: video },
    { name: '会议纪要.txt', mimeType: 'text/plain', buffer: Buffer.from('季度会议纪要\nQuarterly meeting notes\n') },
    { name: 'dataset.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(3 * 1024 * 1024, 7) },
  ]);
  const uploadsRegion = owner.getByRole('region', { name: 'Uploads' });
  await expect(uploadsRegion.getByRole('progressbar')).toHaveCount(4);
  const big = uploadsRegion.getByRole('progressbar', { name: 'Upload progress of dataset.bin' });
  await expect.poll(async () => Number(await big.getAttribute('aria-valuenow')), { timeout: 30_000 }).toBeGreaterThan(0);
  const midway = Number(await big.getAttribute('aria-valuenow'));
  await owner.screenshot({ path: `${docs}/files-upload-1280.png` });
  // The connection drops for a moment; the upload carries on by itself once it is back.
  await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await owner.waitForTimeout(1500);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await expect(uploadsRegion.getByText('4 of 4 uploaded')).toBeVisible({ timeout: 60_000 });
  expect(midway).toBeLessThan(100);
  const table = owner.getByRole('table', { name: /Folders and files of/ });
  for (const name of ['banner.png', 'clip.webm', '会议纪要.txt', 'dataset.bin']) await expect(table.getByRole('button', { name, exact: true })).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: 'dataset.bin' })).toContainText('3 MB');
  // Every file shows until when it is kept, in the user's time zone.
  await expect(table.getByRole('row').filter({ hasText: 'banner.png' }).locator('.available-until')).toContainText(/\d{4}/);
  await owner.getByRole('button', { name: 'Clear finished' }).click();
  await owner.screenshot({ path: `${docs}/files-1280.png` });

  // An image in the viewer.
  await table.getByRole('button', { name: 'banner.png', exact: true }).click();
  const preview = owner.getByRole('dialog', { name: 'banner.png' });
  const img = preview.getByRole('img', { name: 'banner.png' });
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(480);
  await settled(owner);
  await owner.screenshot({ path: `${docs}/files-preview-image-1280.png` });
  await preview.getByRole('button', { name: 'Close' }).click();
  await expect(preview).toBeHidden();

  // A video that plays (its bytes come with HTTP Range requests).
  await table.getByRole('button', { name: 'clip.webm', exact: true }).click();
  const videoDialog = owner.getByRole('dialog', { name: 'clip.webm' });
  const player = videoDialog.locator('video');
  await expect(player).toBeVisible();
  await player.evaluate(async (v: HTMLVideoElement) => {
    v.muted = true;
    await v.play();
  });
  await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(0);
  await videoDialog.getByRole('button', { name: 'Close' }).click();
  await expect(player).toBeHidden();

  // Deleting a file inside its retention window is refused, and the date is said plainly.
  await rowAction(owner, 'banner.png', /Delete/);
  const confirm = owner.getByRole('dialog').filter({ hasText: 'Delete “banner.png”?' });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  const refused = owner.getByRole('dialog').filter({ hasText: 'can’t be deleted yet' });
  await expect(refused).toContainText(/It is available until .+\d{4}/);
  await settled(owner);
  await owner.screenshot({ path: `${docs}/files-retention-1280.png` });
  await refused.getByRole('button', { name: 'Done' }).click();
  await expect(table.getByRole('button', { name: 'banner.png', exact: true })).toBeVisible();

  // A password link to the image, with its QR code.
  await rowAction(owner, 'banner.png', 'Share link');
  const linkDialog = owner.getByRole('dialog', { name: 'Share link for “banner.png”' });
  await linkDialog.getByLabel('Password (optional)').fill(password);
  await linkDialog.getByRole('button', { name: 'Create link' }).click();
  const linkField = linkDialog.getByLabel('Link', { exact: true });
  await expect(linkField).toHaveValue(/\/s\/[^/]+$/);
  const linkURL = await linkField.inputValue();
  const qr = linkDialog.getByRole('img', { name: 'QR code of the link' });
  await expect.poll(() => qr.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
  await settled(owner);
  await owner.screenshot({ path: `${docs}/files-link-1280.png` });
  await linkDialog.getByRole('button', { name: 'Done' }).click();

  // The folder is shared with the group.
  await owner.locator('.files-breadcrumb').getByRole('link', { name: 'My files' }).click();
  await rowAction(owner, folder, 'Share');
  const share = owner.getByRole('dialog', { name: `Share “${folder}”` });
  // CI once lost this click, three tries running (the cause was not found): the radio must end
  // checked. The radio's text comes first; once checked, the group field's label says "Group" too.
  await expect(async () => {
    await share.getByText('Group', { exact: true }).first().click();
    await expect(share.getByRole('radio', { name: 'Group' })).toBeChecked({ timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  const groupPicker = share.getByRole('combobox', { name: 'Group' });
  await groupPicker.click();
  await groupPicker.fill(groupName);
  await pickOption(owner, groupName);
  await share.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(share.getByText(groupName)).toBeVisible();
  await settled(owner);
  await owner.screenshot({ path: `${docs}/files-share-1280.png` });
  await share.getByRole('button', { name: 'Done' }).click();

  // The group's member finds it under "Shared with me", on a phone.
  const m = member.page;
  await m.setViewportSize({ width: 390, height: 844 });
  await m.goto('/files/shared');
  await expect(m.getByRole('heading', { name: 'Shared with me' })).toBeVisible();
  await m.getByRole('link', { name: folder }).click();
  await expect(m.getByRole('button', { name: 'banner.png', exact: true })).toBeVisible();
  await expect(m.getByRole('button', { name: '会议纪要.txt', exact: true })).toBeVisible();
  await m.screenshot({ path: `${docs}/files-shared-390.png`, fullPage: true });

  // The link in a browser that has never signed in: the password first, a wrong one refused.
  const stranger = await browser.newContext();
  const visitor = await stranger.newPage();
  const visitorProblems = watch(visitor, 'visitor');
  await visitor.goto(new URL(linkURL).pathname);
  await expect(visitor.getByText('This link is protected by a password.')).toBeVisible();
  await visitor.getByLabel('Password').fill('not the password');
  await visitor.getByRole('button', { name: 'Open' }).click();
  await expect(visitor.getByRole('alert')).toContainText('That password is not right.');
  await visitor.getByLabel('Password').fill(password);
  await visitor.getByRole('button', { name: 'Open' }).click();
  await expect(visitor.getByRole('heading', { name: 'banner.png' })).toBeVisible();
  const shown = visitor.getByRole('img', { name: 'banner.png' });
  await expect.poll(() => shown.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(480);
  await expect(visitor.getByRole('link', { name: /Download/ })).toHaveAttribute('href', /\/content\?download=1$/);
  await visitor.screenshot({ path: `${docs}/files-public-link-1280.png` });

  // The owner's Files page at phone width, and the console's policy page.
  await owner.setViewportSize({ width: 390, height: 844 });
  await owner.goto('/files');
  await expect(owner.getByRole('table', { name: /Folders and files of/ }).getByRole('link', { name: folder })).toBeVisible();
  await owner.screenshot({ path: `${docs}/files-390.png`, fullPage: true });
  await owner.setViewportSize({ width: 1280, height: 800 });
  await owner.goto('/console/files');
  await expect(owner.getByRole('heading', { name: 'Files policy', level: 1 })).toBeVisible();
  await expect(owner.getByLabel('Minimum retention')).toHaveValue(/\d+/);
  await owner.screenshot({ path: `${docs}/console-files-1280.png`, fullPage: true });

  expect([...ownerProblems, ...member.problems, ...visitorProblems]).toEqual([]);
  await stranger.close();
  await member.context.close();
  await ownerContext.close();
});
