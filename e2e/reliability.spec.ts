/**
 * Issue 6: hostile files, EXIF orientation, a lost GPU context, a crashed worker, and leaks over
 * 200 photos. Every test also fails on page errors, dialogs and CSP violations.
 */
import { expect, test, type Page } from '@playwright/test';
import { decodedPhotoSize } from '../src/worker/photo-decoding';
import { THUMBNAIL_SIDE } from '../src/worker/thumbnail';
import { FIXTURE_CAPTIONS, IMAGE_SIZE as FIXTURE_IMAGE_SIZE } from '../tools/fixture/make-fixture-model';
import { hostileCorpus } from './hostile-corpus';
import { flatBlockJpeg, withExifOrientation } from './image-bytes';
import { card, dropFiles, expectCaptioned, expectEachCaptioned, greyPng, openReadyApp, PHOTOS, workerEvents, type TestFile } from './helpers';
import { cspViolations, failOnPageErrors, installProbes, mainThreadLeaks, workerDiagnostics } from './page-probes';

function testFile(name: string, mimeType: string, bytes: Uint8Array): TestFile {
  return { name, mimeType, base64: Buffer.from(bytes).toString('base64') };
}

async function bestCaptionLine(page: Page, fileName: string): Promise<string> {
  const first = await card(page, fileName).getByTestId('caption-lines').getByRole('listitem').first().textContent();
  return first!.replace(/^\d\) (.*) \(p=.*$/, '$1');
}

/** Waits until every photo is captioned or failed (the list's heading counts them all, shown or not). */
async function expectAllSettled(page: Page, count: number): Promise<void> {
  await expect(page.getByTestId('photos-finished')).toHaveText(new RegExp(`^\\(${count} of ${count} finished(, \\d+ failed)?\\)$`));
}

/** Brings the photo's card into the page (the list renders only those near the window). */
async function findPhoto(page: Page, fileName: string): Promise<void> {
  await page.getByTestId('find-photo').fill(fileName);
}

// Trace snapshots fetch the thumbnails' blob: URLs from inside the page, which the policy (rightly) blocks.
test.use({ trace: 'off' });

let pageProblems: string[] = [];

test.beforeEach(async ({ page }) => {
  pageProblems = failOnPageErrors(page);
  await installProbes(page);
});

test.afterEach(async ({ page }) => {
  expect(pageProblems).toEqual([]);
  expect(await cspViolations(page)).toEqual([]);
});

test('a corpus of hostile files dropped with valid photos: captions for the valid, error cards for the rest, one worker throughout', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const corpus = hostileCorpus();
  expect(corpus.length).toBeGreaterThanOrEqual(50);
  await openReadyApp(page, 'webgl');
  const photos = [PHOTOS.airplane(), PHOTOS.cat(), PHOTOS.boats()];
  await dropFiles(page, [...corpus.map((input) => testFile(input.name, input.mimeType, input.bytes)), ...photos]);

  // The page answers while the queue runs: it is not frozen.
  expect(await page.evaluate(() => document.title)).toContain('Show and Tell');
  await expectAllSettled(page, corpus.length + photos.length);

  const outcomes: string[] = [];
  for (const input of corpus) {
    await findPhoto(page, input.name);
    const photo = card(page, input.name);
    const state = await photo.getAttribute('data-state');
    const detail = state === 'failed' ? await photo.getByTestId('job-error').textContent() : await bestCaptionLine(page, input.name);
    outcomes.push(`${input.name.slice(0, 48)} [expected ${input.expected}] → ${state}: ${detail}`);
  }
  await testInfo.attach('corpus-outcomes.txt', { body: outcomes.join('\n'), contentType: 'text/plain' });
  console.log(outcomes.join('\n'));
  for (const input of corpus) {
    await findPhoto(page, input.name);
    if (input.expected === 'caption') await expectCaptioned(page, input.name);
    if (input.expected === 'error') {
      await expect(card(page, input.name)).toHaveAttribute('data-state', 'failed');
      await expect(card(page, input.name).getByTestId('job-error')).toHaveText(/\w/);
    }
  }
  await expectEachCaptioned(page, photos.map((photo) => photo.name));

  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready');
  expect(await page.evaluate(() => window.probes.workers.length)).toBe(1);
  // Decoding runs off the main thread: nothing blocked the page for long.
  const longTasks = await page.evaluate(() => window.longTasks.map((task) => Math.round(task.duration)));
  expect(longTasks.filter((duration) => duration > 1000)).toEqual([]);
});

/** EXIF orientation n moves a photo's top-left corner to this quadrant (0 TL, 1 TR, 2 BL, 3 BR) and may swap its sides. */
const ORIENTATIONS = [
  { orientation: 1, brightQuadrant: 0, sidesSwapped: false },
  { orientation: 2, brightQuadrant: 1, sidesSwapped: false },
  { orientation: 3, brightQuadrant: 3, sidesSwapped: false },
  { orientation: 4, brightQuadrant: 2, sidesSwapped: false },
  { orientation: 5, brightQuadrant: 0, sidesSwapped: true },
  { orientation: 6, brightQuadrant: 1, sidesSwapped: true },
  { orientation: 7, brightQuadrant: 3, sidesSwapped: true },
  { orientation: 8, brightQuadrant: 2, sidesSwapped: true },
];

test('EXIF orientation is applied before the model sees the photo', async ({ page }) => {
  await openReadyApp(page, 'webgl');
  // 64 × 32 px, stored with a bright top-left quadrant and the rest dark.
  const stored = flatBlockJpeg(64, 32, 'ycbcr', (column, row) => [column < 4 && row < 2 ? 250 : 10, 128, 128]);
  for (const { orientation, brightQuadrant, sidesSwapped } of ORIENTATIONS) {
    const name = `rotated-${orientation}.jpg`;
    await dropFiles(page, [testFile(name, 'image/jpeg', withExifOrientation(stored, orientation))]);
    await expectCaptioned(page, name);
    const { lastImage } = await workerDiagnostics(page);
    expect(lastImage, name).not.toBeNull();
    expect([lastImage!.width, lastImage!.height], name).toEqual(sidesSwapped ? [32, 64] : [64, 32]);
    const brightest = lastImage!.quadrantBrightness.indexOf(Math.max(...lastImage!.quadrantBrightness));
    expect(brightest, `${name}: the bright corner`).toBe(brightQuadrant);
    expect(Math.min(...lastImage!.quadrantBrightness)).toBeLessThan(0.1);
  }
});

test('a large photo is decoded in the worker, only to the size the model needs, the right way up', async ({ page }) => {
  await openReadyApp(page, 'webgl');
  // Stored 2048 × 1024 px with a bright top-left quadrant; EXIF orientation 6 shows it 1024 × 2048, bright at the top right.
  const bright = (column: number, row: number, width: number, height: number) => [column < width / 16 && row < height / 16 ? 250 : 10, 128, 128];
  const large = withExifOrientation(flatBlockJpeg(2048, 1024, 'ycbcr', (column, row) => bright(column, row, 2048, 1024)), 6);
  // The same picture small enough to reach the model whole, as every photo did before.
  const small = withExifOrientation(flatBlockJpeg(64, 32, 'ycbcr', (column, row) => bright(column, row, 64, 32)), 6);
  const seen = [];
  for (const [name, bytes] of [['large-rotated.jpg', large], ['small-rotated.jpg', small]] as const) {
    await dropFiles(page, [testFile(name, 'image/jpeg', bytes)]);
    await expectCaptioned(page, name);
    const { lastImage } = await workerDiagnostics(page);
    expect(lastImage, name).not.toBeNull();
    const thumbnail = card(page, name).locator('img.thumbnail');
    await expect(thumbnail).toHaveJSProperty('complete', true);
    const thumbnailSize = await thumbnail.evaluate((image: HTMLImageElement) => [image.naturalWidth, image.naturalHeight]);
    seen.push({ lastImage: lastImage!, caption: await bestCaptionLine(page, name), thumbnailSize });
  }
  const [fromLarge, fromSmall] = seen;
  // Shrunk to what covers the fixture's 32 × 32 input and a thumbnail, upright; the small one kept whole, as before.
  const decoded = decodedPhotoSize(1024, 2048, { width: FIXTURE_IMAGE_SIZE, height: FIXTURE_IMAGE_SIZE });
  expect(decoded.width).toBeLessThan(1024);
  expect([fromLarge.lastImage.width, fromLarge.lastImage.height]).toEqual([decoded.width, decoded.height]);
  expect([fromSmall.lastImage.width, fromSmall.lastImage.height]).toEqual([32, 64]);
  expect(fromLarge.thumbnailSize).toEqual([THUMBNAIL_SIDE / 2, THUMBNAIL_SIDE]);
  for (const { lastImage } of seen) {
    const brightest = lastImage.quadrantBrightness.indexOf(Math.max(...lastImage.quadrantBrightness));
    expect(brightest, 'the bright corner, top right').toBe(1);
  }
  expect(fromLarge.caption).toBe(fromSmall.caption);
  // The page's thread decoded neither (the probes count its createImageBitmap calls): the worker did.
  expect((await mainThreadLeaks(page)).bitmapsMade).toBe(0);
});

test('a lost WebGL context mid-job: the job is retried on a new backend, the app says so, no result is lost or wrong', async ({ page }) => {
  await openReadyApp(page, 'webgl');
  // Lose the context as soon as the first photo's search has produced its first step.
  await page.evaluate(() => {
    const worker = window.probes.workers.at(-1)!;
    const loseOnce = (event: MessageEvent<{ type: string }>) => {
      if (event.data.type !== 'job-hypotheses') return;
      worker.removeEventListener('message', loseOnce);
      worker.postMessage({ type: 'lose-gpu-context' });
    };
    worker.addEventListener('message', loseOnce);
  });
  const photos = [greyPng('white-1.png', 40, 30, 245), greyPng('black-1.png', 40, 30, 10), greyPng('white-2.png', 24, 24, 240), greyPng('black-2.png', 30, 40, 15)];
  await dropFiles(page, photos);
  for (const photo of photos) {
    await expectCaptioned(page, photo.name);
    const expected = photo.name.startsWith('white') ? FIXTURE_CAPTIONS.bright[0] : FIXTURE_CAPTIONS.dark[0];
    expect(await bestCaptionLine(page, photo.name), photo.name).toBe(expected);
  }
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready');
  await expect(status).toContainText('GPU (WebGL) context was lost');
  const events = await workerEvents(page);
  expect(events.filter((event) => event.type === 'model-ready')).toHaveLength(2);
  expect(events.filter((event) => event.type === 'job-failed')).toEqual([]);
  expect(await page.evaluate(() => window.probes.workers.length)).toBe(1);
  console.log(`backend after the context loss: ${await page.getByTestId('backend').textContent()}`);
});

test('a crashed worker is replaced without losing the queue', async ({ page }) => {
  await openReadyApp(page, 'webgl');
  const photos = Array.from({ length: 6 }, (_, i) => greyPng(`queued-${i}.png`, 32, 32, i % 2 ? 20 : 235));
  await dropFiles(page, photos);
  await expect(page.locator('[data-testid="photo-card"][data-state="captioning"]').first()).toBeVisible();
  // What the browser reports when a worker dies of an uncaught error.
  await page.evaluate(() => window.probes.workers.at(-1)!.dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' })));
  await expectEachCaptioned(page, photos.map((photo) => photo.name));
  expect(await page.evaluate(() => window.probes.workers.length)).toBe(2);
});

test('200 photos leave tfjs memory where the first left it, and leak no object URL or ImageBitmap', async ({ page }) => {
  test.setTimeout(600_000);
  await openReadyApp(page, 'webgl');
  const sizes = [
    [32, 32],
    [48, 40],
    [40, 64],
  ];
  const photos = Array.from({ length: 200 }, (_, i) => greyPng(`photo-${i}.png`, sizes[i % 3][0], sizes[i % 3][1], (i * 37) % 256));
  await dropFiles(page, photos.slice(0, 1));
  await expectCaptioned(page, photos[0].name);
  const afterFirst = (await workerDiagnostics(page)).memory;

  await dropFiles(page, photos.slice(1));
  // Every one captioned: none failed.
  await expect(page.getByTestId('photos-finished')).toHaveText(`(${photos.length} of ${photos.length} finished)`);
  const afterAll = (await workerDiagnostics(page)).memory;
  console.log(`tf.memory() after the first photo: ${JSON.stringify(afterFirst)}, after 200: ${JSON.stringify(afterAll)}`);
  expect(afterAll).toEqual(afterFirst);

  await page.getByRole('button', { name: 'Clear finished' }).click();
  await expect(page.getByTestId('photo-card')).toHaveCount(0);
  const leaks = await mainThreadLeaks(page);
  // The worker decodes photos: the page's thread makes no bitmap that could leak.
  expect(leaks).toEqual({ liveObjectUrls: 0, openBitmaps: 0, bitmapsMade: 0 });
});
