import path from 'node:path';
import { expect, test } from '@playwright/test';
import { captionsOnBackend, dropFiles, expectCaptioned, expectSameCaptions, PHOTOS, screenshotPath } from './helpers';
import { startStaticServer, type StaticServer } from './static-server';
import { APP_SUB_PATH, publishSite } from './static-site';

const SITE_ROOT = path.resolve('.cache/e2e/default-model-site');

let server: StaticServer;

// The production build exactly as shipped (no fixture laid over it): what `npm start` gives a user.
test.beforeAll(async () => {
  await publishSite({ distDir: path.resolve('dist'), siteRoot: SITE_ROOT });
  server = await startStaticServer(SITE_ROOT);
});

test.afterAll(() => server.close());

test('the shipped default model loads in the browser and captions real photos', async ({ page }, testInfo) => {
  await page.goto(`${server.origin}${APP_SUB_PATH}`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expect(status).toContainText('CenterNet');
  await expect(page.getByText(/test fixture/i)).toHaveCount(0);
  await dropFiles(page, [PHOTOS.boats(), PHOTOS.cat()]);
  await expectCaptioned(page, 'boats.jpg');
  await expectCaptioned(page, 'house-cat.jpg');
  await page.screenshot({ path: screenshotPath(testInfo, 'default-model.png'), fullPage: true });
});

test('software WebGL (the device-side top-k path) gives the captions that wasm gives', async ({ page }) => {
  test.setTimeout(240_000);
  const app = `${server.origin}${APP_SUB_PATH}`;
  const onWasm = await captionsOnBackend(page, app, 'wasm', PHOTOS.boats());
  const onWebgl = await captionsOnBackend(page, `${app}?backend=webgl`, 'webgl', PHOTOS.boats());
  expectSameCaptions(onWebgl, onWasm);
});
