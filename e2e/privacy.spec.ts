/**
 * Issue 6: photos never leave the device, and the app works under its Content-Security-Policy.
 * One full session (load, photos, settings, another backend, the camera) with every request of the
 * browser context recorded; any request to another origin, CSP violation or page error fails it.
 */
import { expect, test } from '@playwright/test';
import { chromiumLaunchOptions, SOFTWARE_WEBGL_ARGS } from './browser';
import { FAKE_CAMERA_ARGS } from './fake-camera';
import { card, dropFiles, expectCaptioned, openReadyApp, PHOTOS } from './helpers';
import { hostileCorpus } from './hostile-corpus';
import { cspViolations, failOnPageErrors, installProbes, recordRequests, requestsElsewhere } from './page-probes';

test.use({
  launchOptions: chromiumLaunchOptions([...SOFTWARE_WEBGL_ARGS, ...FAKE_CAMERA_ARGS]),
  // Trace snapshots fetch the thumbnails' blob: URLs from inside the page, which the policy (rightly) blocks.
  trace: 'off',
});

test('a full session sends nothing to other origins and runs under the Content-Security-Policy', async ({ page, context, baseURL }) => {
  test.setTimeout(240_000);
  const requests = recordRequests(context);
  const pageProblems = failOnPageErrors(page);
  await installProbes(page);

  await test.step('load: the policy is in the page and the model loads under it', async () => {
    await openReadyApp(page, 'webgl');
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("connect-src 'self'");
  });

  await test.step('photos, including files that try to reach the network', async () => {
    const hostile = hostileCorpus().filter((input) => /svg|page\.jpg|jpeg-then-script/.test(input.name));
    const files = hostile.map(({ name, mimeType, bytes }) => ({ name, mimeType, base64: Buffer.from(bytes).toString('base64') }));
    await dropFiles(page, [PHOTOS.boats(), ...files]);
    await expectCaptioned(page, 'boats.jpg');
    for (const { name } of hostile) await expect(card(page, name)).toHaveAttribute('data-state', 'failed');
  });

  await test.step('settings: a longer search', async () => {
    const beamSize = page.getByLabel(/Beam size/);
    await beamSize.press('ArrowRight');
    await beamSize.press('ArrowRight');
    await dropFiles(page, [PHOTOS.cat()]);
    await expectCaptioned(page, 'house-cat.jpg');
  });

  await test.step('the camera: live captions and a snapshot', async () => {
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('camera')).toHaveAttribute('data-phase', 'live');
    await expect(page.getByTestId('camera-caption-lines').getByRole('listitem')).toHaveCount(3);
    await page.getByTestId('camera-snapshot').click();
    await expect(card(page, 'camera-')).toHaveAttribute('data-state', 'done');
    await page.getByRole('button', { name: 'Stop camera' }).click();
  });

  await test.step('WebAssembly: the binaries come from the app and compile under the policy', async () => {
    await openReadyApp(page, 'wasm');
    await dropFiles(page, [PHOTOS.airplane()]);
    await expectCaptioned(page, 'airplane.jpg');
  });

  expect(await cspViolations(page)).toEqual([]);
  expect(pageProblems).toEqual([]);
  // The worker's downloads are in the record too, so nothing it fetches goes unchecked.
  expect(requests.some((url) => url.endsWith('/model.json'))).toBe(true);
  expect(requests.some((url) => url.endsWith('.wasm'))).toBe(true);
  expect(requestsElsewhere(requests, new URL(baseURL!).origin)).toEqual([]);
});
