import { expect, test } from '@playwright/test';
import { chromiumLaunchOptions } from './browser';
import { dropFiles, expectCaptioned, PHOTOS } from './helpers';

// --disable-webgl and --disable-3d-apis leave OffscreenCanvas WebGL on; no GPU and no software fallback turn it off.
test.use({ launchOptions: chromiumLaunchOptions(['--disable-gpu', '--disable-software-rasterizer']) });

test('without WebGL the worker falls back to wasm, says so, and still captions', async ({ page }) => {
  await page.goto('./');
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(status).toContainText('WebGL is not available in this browser');
  await dropFiles(page, [PHOTOS.cat()]);
  await expectCaptioned(page, 'house-cat.jpg');
});
