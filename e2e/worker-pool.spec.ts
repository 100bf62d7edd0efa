import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { WorkerEvent } from '../src/worker/protocol';
import { FIXTURE_CAPTIONS } from '../tools/fixture/make-fixture-model';
import { chromiumLaunchOptions, SOFTWARE_WEBGL_ARGS } from './browser';
import { FAKE_CAMERA_ARGS } from './fake-camera';
import { captionLines, cliCaptions, dropFiles, expectEachCaptioned, greyPng, losslessCopy, PHOTOS, screenshotPath, type TestFile } from './helpers';
import { startStaticServer } from './static-server';
import { APP_SUB_PATH, publishSite } from './static-site';

declare global {
  interface Window {
    /** Every message of every captioner worker, with the worker's name ('captioner' is the first, 'captioner-helper' the others). */
    poolEvents: { worker: string; event: WorkerEvent }[];
  }
}

test.use({ launchOptions: chromiumLaunchOptions([...SOFTWARE_WEBGL_ARGS, ...FAKE_CAMERA_ARGS]) });

async function recordPoolEvents(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.poolEvents = [];
    const NativeWorker = window.Worker;
    window.Worker = class extends NativeWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        this.addEventListener('message', (event: MessageEvent<WorkerEvent>) => window.poolEvents.push({ worker: options?.name ?? '', event: event.data }));
      }
    };
  });
}

/** The worker ('captioner' or 'captioner-helper') that finished each job whose id passes `which`. */
async function finishedBy(page: Page, which: (jobId: string) => boolean): Promise<string[]> {
  const events = await page.evaluate(() => window.poolEvents);
  return events.flatMap(({ worker, event }) => (event.type === 'job-done' && which(event.jobId) ? [worker] : []));
}

const isPhoto = (jobId: string) => !jobId.startsWith('frame-');

test('a batch is shared by a pool of workers, the model downloaded once; with the camera live, photos go to the helpers', async ({ page }, testInfo) => {
  const modelFiles: string[] = [];
  page.context().on('request', (request) => {
    if (/\/models\/[^/]+\/.+\.bin$/.test(request.url())) modelFiles.push(new URL(request.url()).pathname);
  });
  await recordPoolEvents(page);
  await page.goto('./?backend=wasm&workers=2');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready');
  const workers = page.getByTestId('caption-workers');
  await expect(workers).toHaveText('Workers for a batch of photos: 2 (set by ?workers= in the address).');

  // The fixture captions a small photo in a few ms, so the first batch may be done before the helper
  // it started has loaded the model; the second finds both workers ready.
  const batches = [0, 1].map((run) => Array.from({ length: 6 }, (_, i) => greyPng(`batch-${run}-${i}.png`, 48, 32, i % 2 ? 15 : 240)));
  for (const batch of batches) {
    const before = (await finishedBy(page, isPhoto)).length;
    await dropFiles(page, batch);
    for (const [i, photo] of batch.entries()) {
      const [best] = await captionLines(page, photo.name);
      expect(best.sentence, photo.name).toBe(i % 2 ? FIXTURE_CAPTIONS.dark[0] : FIXTURE_CAPTIONS.bright[0]);
    }
    await expect(workers).toHaveAttribute('data-running', '2');
    if (batch === batches[1]) expect(new Set((await finishedBy(page, isPhoto)).slice(before))).toEqual(new Set(['captioner', 'captioner-helper']));
  }
  // Cards stay in the order the photos were dropped, whichever worker finished first.
  await expect(page.getByTestId('photo-card')).toHaveText(batches.flat().map((photo) => new RegExp(photo.name)));
  // The helper read the model the first worker had stored: every shard came over the network once.
  expect(modelFiles.length).toBeGreaterThan(0);
  expect(modelFiles).toEqual([...new Set(modelFiles)]);

  // With the camera live, the first worker captions its frames and the helper the photos.
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('camera')).toHaveAttribute('data-phase', 'live');
  const before = (await finishedBy(page, isPhoto)).length;
  const duringCamera = Array.from({ length: 4 }, (_, i) => greyPng(`while-live-${i}.png`, 32, 48, 240));
  await dropFiles(page, duringCamera);
  // The list is virtualised: the find box brings each card into the page.
  await expectEachCaptioned(page, duringCamera.map((photo) => photo.name));
  expect((await finishedBy(page, isPhoto)).slice(before)).toEqual(duringCamera.map(() => 'captioner-helper'));
  const frameWorkers = await finishedBy(page, (jobId) => !isPhoto(jobId));
  expect(frameWorkers.length).toBeGreaterThan(0);
  expect(new Set(frameWorkers)).toEqual(new Set(['captioner']));
  await page.getByRole('button', { name: 'Stop camera' }).click();
  await page.screenshot({ path: screenshotPath(testInfo, 'worker-pool.png'), fullPage: true });
});

/** The captions of each photo on the shipped model, with `?workers=N` in the address. */
async function pageCaptions(browser: Browser, url: string, photos: TestFile[]): Promise<string[][]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await recordPoolEvents(page);
    await page.goto(url);
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 180_000 });
    await expect(page.getByTestId('backend')).toHaveText('wasm');
    await dropFiles(page, photos);
    const captions = [];
    for (const photo of photos) captions.push((await captionLines(page, photo.name)).map((line) => line.sentence));
    const workers = new Set(await finishedBy(page, isPhoto));
    expect(workers.has('captioner-helper')).toBe(url.includes('workers=2'));
    return captions;
  } finally {
    await context.close();
  }
}

test('on the shipped model, a pool of two gives the captions of a single worker and of the CLI', async ({ browser }) => {
  test.setTimeout(240_000);
  const siteRoot = path.resolve('.cache/e2e/worker-pool-site');
  await publishSite({ distDir: path.resolve('dist'), siteRoot });
  const server = await startStaticServer(siteRoot);
  try {
    const app = `${server.origin}${APP_SUB_PATH}`;
    // Four times over, so that the helper, which starts when photos wait, has loaded the model before
    // they run out even on a loaded machine (twice over, the first worker once finished all six first).
    const distinct = await Promise.all([PHOTOS.boats(), PHOTOS.cat(), PHOTOS.airplane()].map(losslessCopy));
    const photos = [1, 2, 3, 4].flatMap((copy) => distinct.map((photo) => ({ ...photo, name: `${copy}-${photo.name}` })));
    const pooled = await pageCaptions(browser, `${app}?workers=2`, photos);
    const single = await pageCaptions(browser, `${app}?workers=1`, photos);
    expect(pooled).toEqual(single);
    for (let copy = 1; copy < 4; copy++) expect(pooled.slice(copy * distinct.length, (copy + 1) * distinct.length)).toEqual(pooled.slice(0, distinct.length));
    expect(await cliCaptions(['--jobs', '2', ...distinct.map((photo) => photo.path)])).toEqual(pooled.slice(0, distinct.length));
  } finally {
    await server.close();
  }
});
