import { expect, test } from '@playwright/test';
import { card, dropFiles, expectCaptioned, generatedInput, openReadyApp } from './helpers';

// global-setup.ts lists a second fixture whose detector works but whose objects.json is malformed.
test('a model with a malformed objects.json still captions, un-grounded, and says why', async ({ page }) => {
  await openReadyApp(page, 'wasm');
  await page.getByLabel('Model').selectOption({ label: 'Test fixture (not a captioning model): squares and a dog detector (test fixture) · English' });
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready');
  await expect(status.getByTestId('grounding-problem')).toContainText('must list words');
  await expect(page.getByLabel('Grounded in detected objects')).toBeDisabled();
  await dropFiles(page, [generatedInput('white.png', 'image/png')]);
  await expectCaptioned(page, 'white.png');
  // Un-grounded, the fixture prefers the dog its detector does not see.
  await expect(card(page, 'white.png').getByTestId('best-caption')).toHaveText('A white dog.');
  await expect(card(page, 'white.png').getByTestId('objects-line')).toHaveText('Objects: none detected');
});
