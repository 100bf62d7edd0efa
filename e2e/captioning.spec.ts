import { expect, test, type Page } from '@playwright/test';
import type { JobDoneEvent } from '../src/worker/protocol';
import { decodedPhotoSize } from '../src/worker/photo-decoding';
import { FIXTURE_CAPTIONS, IMAGE_SIZE } from '../tools/fixture/make-fixture-model';
import { card, dropFiles, expectCaptioned, generatedInput, openReadyApp, pasteFiles, PHOTOS, screenshotPath, workerEvents } from './helpers';
import { installProbes, workerDiagnostics } from './page-probes';

async function expectFailed(page: Page, fileName: string, message: RegExp): Promise<void> {
  const photo = card(page, fileName);
  await expect(photo).toHaveAttribute('data-state', 'failed');
  await expect(photo.getByTestId('job-error')).toHaveText(message);
}

test('two dropped photos get streamed beams, then three captions each, on WebGL', async ({ page }, testInfo) => {
  await openReadyApp(page, 'webgl');
  await expect(page.getByTestId('fixture-banner')).toBeVisible();

  const photos = [PHOTOS.airplane(), PHOTOS.cat()];
  await dropFiles(page, photos);
  for (const photo of photos) await expectCaptioned(page, photo.name);

  const events = await workerEvents(page);
  const jobIds = [...new Set(events.flatMap((event) => (event.type === 'job-started' ? [event.jobId] : [])))];
  expect(jobIds).toHaveLength(2);
  for (const jobId of jobIds) {
    const ofJob = events.filter((event) => 'jobId' in event && event.jobId === jobId);
    const types = ofJob.map((event) => event.type);
    expect(types[0]).toBe('job-started');
    expect(types.at(-1)).toBe('job-done');
    const beams = ofJob.flatMap((event) => (event.type === 'job-hypotheses' ? [event.beam] : []));
    // The first step at once, later ones at most every 100 ms (each is a render on the page's thread).
    expect(beams[0].step).toBe(1);
    expect(beams.every((beam, index) => index === 0 || beam.step > beams[index - 1].step)).toBe(true);
    expect(beams[0].partial.length).toBeGreaterThan(0);
  }
  const timings = events.filter((event): event is JobDoneEvent => event.type === 'job-done').map((event) => Math.round(event.elapsedMs));
  testInfo.annotations.push({ type: 'per-photo ms (webgl, fixture)', description: timings.join(', ') });
  console.log(`per-photo captioning time on webgl with the fixture: ${timings.join(' ms, ')} ms`);

  await page.screenshot({ path: screenshotPath(testInfo, 'two-photos.png'), fullPage: true });
});

test("the file dialog and pasting work, and the fixture's known captions come out", async ({ page }) => {
  await openReadyApp(page, 'webgl');
  const white = generatedInput('white.png', 'image/png');
  await page.getByTestId('file-input').setInputFiles({ name: white.name, mimeType: white.mimeType, buffer: Buffer.from(white.base64, 'base64') });
  await pasteFiles(page, [generatedInput('black.png', 'image/png')]);
  for (const [fileName, expected] of [
    ['white.png', FIXTURE_CAPTIONS.bright],
    ['black.png', FIXTURE_CAPTIONS.dark],
  ] as const) {
    await expectCaptioned(page, fileName);
    const lines = await card(page, fileName).getByTestId('caption-lines').getByRole('listitem').allTextContents();
    expect(lines.map((line) => line.replace(/^\d\) (.*) \(p=.*$/, '$1'))).toEqual(expected);
  }
});

test('broken files get a readable error on their own card while the other photos are captioned', async ({ page }, testInfo) => {
  await openReadyApp(page, 'webgl');
  await dropFiles(page, [
    PHOTOS.boats(),
    generatedInput('notes.jpg', 'image/jpeg'),
    generatedInput('truncated.jpg', 'image/jpeg'),
    generatedInput('empty.jpg', 'image/jpeg'),
    generatedInput('scan.tiff', 'image/tiff'),
    PHOTOS.cat(),
  ]);
  await expectFailed(page, 'notes.jpg', /not an image/);
  await expectFailed(page, 'truncated.jpg', /incomplete/);
  await expectFailed(page, 'empty.jpg', /empty \(0 bytes\)/);
  await expectFailed(page, 'scan.tiff', /not an image/);
  await expectCaptioned(page, 'boats.jpg');
  await expectCaptioned(page, 'house-cat.jpg');
  await page.screenshot({ path: screenshotPath(testInfo, 'broken-files.png'), fullPage: true });
});

test('a 10,000 × 10,000 px photo is downscaled and captioned', async ({ page }) => {
  await installProbes(page);
  await openReadyApp(page, 'webgl');
  await dropFiles(page, [generatedInput('huge.png', 'image/png')]);
  await expectCaptioned(page, 'huge.png');
  // What the worker gave the model: decoded only to the size that covers the model's input and the thumbnail, and still the photo's grey (200 of 255).
  const { lastImage } = await workerDiagnostics(page);
  const expected = decodedPhotoSize(10_000, 10_000, { width: IMAGE_SIZE, height: IMAGE_SIZE });
  expect(expected.width).toBeLessThan(10_000);
  expect(lastImage && [lastImage.width, lastImage.height]).toEqual([expected.width, expected.height]);
  for (const brightness of lastImage!.quadrantBrightness) expect(brightness).toBeCloseTo(200 / 255, 2);
});

test('the main thread has no long task over 100 ms while photos are captioned', async ({ page }) => {
  await openReadyApp(page, 'webgl');
  const droppedAt = await page.evaluate(() => performance.now());
  const photos = [PHOTOS.airplane(), PHOTOS.cat(), PHOTOS.boats()];
  await dropFiles(page, photos);
  for (const photo of photos) await expectCaptioned(page, photo.name);
  const longTasks = await page.evaluate((since) => window.longTasks.filter((task) => task.startTime >= since), droppedAt);
  expect(longTasks.filter((task) => task.duration > 100)).toEqual([]);
});

test('the wasm backend runs with binaries served by the app itself', async ({ page, baseURL }) => {
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await openReadyApp(page, 'wasm');
  await dropFiles(page, [PHOTOS.boats()]);
  await expectCaptioned(page, 'boats.jpg');
  expect(requests.some((url) => url.endsWith('.wasm'))).toBe(true);
  expect(requests.filter((url) => !url.startsWith(baseURL!) && !url.startsWith('blob:'))).toEqual([]);
});

test('an empty model list is explained', async ({ page }) => {
  await page.route('**/models/models.json', (route) => route.fulfill({ json: { default: null, models: [] } }));
  await page.goto('./');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'no-models');
  await expect(page.getByTestId('model-status')).toContainText('lists no model');
});

test('a model that cannot be downloaded shows an error, and Retry loads it', async ({ page }) => {
  await page.route('**/model.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('./?backend=webgl');
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'error');
  await expect(status).toContainText('model.json (HTTP 404)');
  await page.unroute('**/model.json');
  await status.getByRole('button', { name: 'Retry' }).click();
  await expect(status).toHaveAttribute('data-phase', 'ready');
});
