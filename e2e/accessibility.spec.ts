/**
 * Issue 17: accessible and installable. axe-core finds no serious or critical violation in any
 * state of the page, every action is reachable and works from the keyboard, finished captions are
 * announced to screen readers, and Chromium finds the page installable (manifest and icons).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { card, dropFiles, expectCaptioned, generatedInput, greyPng, launchWithProfile, openReadyApp, screenshotPath, seriousViolations } from './helpers';

/** The accessible name of the focused element (its label, else its text). */
function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return element?.getAttribute('aria-label') ?? element?.textContent?.trim() ?? '';
  });
}

/** Presses Tab until the focused element is named `name` (at most 60 times). */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press('Tab');
    if ((await focusedName(page)) === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

test('axe-core finds no serious or critical violation: empty, while captioning, and with captions, the editor and Export open', async ({ page }, testInfo) => {
  await openReadyApp(page);
  expect(await seriousViolations(page)).toEqual([]);

  await dropFiles(page, [generatedInput('white.png', 'image/png'), generatedInput('notes.jpg', 'image/jpeg'), ...Array.from({ length: 30 }, (_, i) => greyPng(`grey-${i}.png`, 24, 24, 128))]);
  await expect(page.getByTestId('queue-status')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await expectCaptioned(page, 'white.png');
  await page.getByTestId('queue-status').getByRole('button', { name: 'Cancel' }).click();
  await card(page, 'white.png').getByRole('button', { name: 'Edit alt text of white.png' }).click();
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: screenshotPath(testInfo, 'editing-and-export.png') });
});

test('every action works from the keyboard, and finished captions are announced to screen readers', async ({ page }) => {
  await openReadyApp(page);
  // Adding photos: the file dialog opens from the keyboard (the photos then come from the dialog).
  await tabTo(page, 'Choose photos');
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  await (await chooser).setFiles({ name: 'white.png', mimeType: 'image/png', buffer: Buffer.from(generatedInput('white.png', 'image/png').base64, 'base64') });
  await tabTo(page, 'Choose a folder');
  const folderChooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  expect(await (await folderChooser).element().getAttribute('data-testid')).toBe('folder-input');

  await expectCaptioned(page, 'white.png');
  await expect(page.getByTestId('announcer')).toHaveText('white.png: A white square.');
  await expect(page.getByTestId('announcer')).toHaveAttribute('aria-live', 'polite');

  await page.locator('body').focus();
  await tabTo(page, 'Edit alt text of white.png');
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.insertText(' on a table');
  await page.keyboard.press('Enter');
  await expect(card(page, 'white.png').getByTestId('best-caption')).toHaveText('A white square. on a table');

  await tabTo(page, 'Export');
  await page.keyboard.press('Enter');
  await tabTo(page, 'JSON');
  const download = page.waitForEvent('download');
  await page.keyboard.press('Enter');
  expect((await download).suggestedFilename()).toMatch(/\.json$/);

  await tabTo(page, 'Remove white.png');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('photo-card')).toHaveCount(0);
});

test('Chromium finds the page installable: a web app manifest with icons, allowed by the Content-Security-Policy', async ({ baseURL }) => {
  // Chromium never offers to install from an incognito window, which is what a test's own context is.
  const profile = await mkdtemp(path.join(os.tmpdir(), 'show-and-tell-profile-'));
  const { context, page } = await launchWithProfile(profile, baseURL);
  try {
    const policyViolations: string[] = [];
    page.on('console', (message) => message.type() === 'error' && /Content Security Policy/i.test(message.text()) && policyViolations.push(message.text()));
    await openReadyApp(page);
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.errors).toEqual([]);
    expect(manifest.url).toMatch(/\/assets\/manifest-[0-9a-f]{8}\.webmanifest$/);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    const parsed = JSON.parse(manifest.data!) as { icons: { src: string }[] };
    for (const icon of parsed.icons) {
      const status = await page.evaluate(async (url) => (await fetch(url)).status, new URL(icon.src, manifest.url).href);
      expect(status, icon.src).toBe(200);
    }
    expect(policyViolations).toEqual([]);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});
