import { expect, test } from '@playwright/test';
import { dropFiles, expectCaptioned, PHOTOS } from './helpers';

// The default launch options give WebGL through SwiftShader: software, like a machine without a GPU.
test('on a software-emulated WebGL the app picks WebAssembly, says why, and the settings can force WebGL', async ({ page }) => {
  await page.goto('./');
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('backend-reason')).toContainText(/emulated on the CPU \(.*SwiftShader.*\)/);

  await page.getByTestId('backend-setting').selectOption('webgl');
  await expect(page.getByTestId('backend')).toHaveText('webgl');
  await expect(page.getByTestId('backend-reason')).toContainText('chosen in the settings');
  await dropFiles(page, [PHOTOS.cat()]);
  await expectCaptioned(page, 'house-cat.jpg');

  // The choice is kept for the next visit; ?backend= in the address overrides it.
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveText('webgl');
  await page.goto('./?backend=cpu');
  await expect(page.getByTestId('backend')).toHaveText('cpu');
  await expect(page.getByTestId('backend-setting')).toBeDisabled();
});
