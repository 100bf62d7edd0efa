import type { Page } from '@playwright/test';

/**
 * Starts the page's camera (the fake one Chromium gets from the bench's flags) and waits past its
 * first frames, which pay for start-up. Returns why it could not, or null once it is live.
 */
export async function startCamera(page: Page): Promise<string | null> {
  const camera = page.getByTestId('camera');
  if ((await camera.count()) === 0) return 'this build has no camera panel';
  await camera.getByRole('button', { name: 'Start camera' }).click();
  try {
    await page.waitForFunction(() => document.querySelector('[data-testid=camera]')?.getAttribute('data-phase') === 'live', null, { timeout: 30_000 });
  } catch {
    return `the camera did not go live (${await camera.getAttribute('data-phase')})`;
  }
  await page.waitForTimeout(2000);
  return null;
}
