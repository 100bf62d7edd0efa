/**
 * Issue 25: nothing a person gives the page is lost. Photos picked the moment a first visit loads
 * (before its reload into cross-origin isolation), a reload or a browser restart mid-batch, a worker
 * killed mid-photo; and a thousand kept results, restored fast into a list that stays light.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { card, dropFiles, expectCaptioned, expectEachCaptioned, greyPng, keptInStorage, launchWithProfile, openReadyApp, screenshotPath, workerEvents } from './helpers';
import { installProbes } from './page-probes';
import { E2E_MODELS_DIR } from './paths';
import { startStaticServer } from './static-server';
import { APP_SUB_PATH, publishSite } from './static-site';

/** Large enough that decoding and shrinking them leaves time to reload mid-batch. */
const batch = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => greyPng(`${prefix}-${String(i).padStart(2, '0')}.png`, 1600, 1200, i % 2 ? 20 : 235));

const finishedLine = (page: Page) => page.getByTestId('photos-finished');

/** Ids of the photos the current page's worker(s) captioned. */
async function captionedIds(page: Page): Promise<string[]> {
  return (await workerEvents(page)).flatMap((event) => (event.type === 'job-done' && !event.jobId.startsWith('frame-') ? [event.jobId] : []));
}

/** The ids of the results kept in storage, by photo name. */
function keptIds(page: Page): Promise<Record<string, string>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const opening = indexedDB.open('show-and-tell');
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const reading = opening.result.transaction('results').objectStore('results').getAll();
          reading.onsuccess = () => {
            opening.result.close();
            resolve(Object.fromEntries((reading.result as { id: string; name: string }[]).map((record) => [record.name, record.id])));
          };
        };
      }),
  );
}

test('a reload and a browser restart mid-batch lose nothing: the photos left are shown, counted and captioned once, without picking them again', async ({
  baseURL,
}, testInfo) => {
  test.setTimeout(240_000);
  const profile = await mkdtemp(path.join(os.tmpdir(), 'show-and-tell-queue-'));
  try {
    let { context, page } = await launchWithProfile(profile, baseURL);
    await openReadyApp(page);
    const first = batch('reload', 12);
    await dropFiles(page, first);
    // Reloaded once at least 2 are done: with a pool of workers, two may finish together.
    await expect(finishedLine(page)).toHaveText(/^\(([2-9]|1[01]) of 12 finished\)$/);
    await page.reload();
    const before = await keptIds(page);
    const leftAtReload = 12 - Object.keys(before).length;
    console.log(`reload: ${Object.keys(before).length} of 12 finished, ${leftAtReload} left`);
    expect(leftAtReload).toBeGreaterThan(0);
    // At once, before the model is ready: every photo is back, and the progress counts the run as a whole.
    await expect(finishedLine(page)).toHaveText(new RegExp(`^\\(\\d+ of 12 finished\\)$`));
    await expect(page.getByTestId('queue-status')).toContainText(/of 12 done/);
    await page.screenshot({ path: screenshotPath(testInfo, 'queue-after-reload.png') });
    await expect(finishedLine(page)).toHaveText('(12 of 12 finished)', { timeout: 120_000 });
    await expectEachCaptioned(page, first.map((photo) => photo.name));
    // None captioned twice: the photos finished before the reload were not captioned after it.
    const after = await captionedIds(page);
    expect(after.filter((id) => Object.values(before).includes(id))).toEqual([]);
    expect(after).toHaveLength(leftAtReload);
    await expect.poll(() => keptInStorage(page)).toEqual({ results: first.map((photo) => photo.name), queue: [] });

    // The browser closed mid-batch (as a crash or a shutdown would), then opened again.
    const second = batch('restart', 6);
    await dropFiles(page, second);
    await expect(finishedLine(page)).toHaveText(/^\(1[3-6] of 18 finished\)$/);
    await context.close();
    ({ context, page } = await launchWithProfile(profile, baseURL));
    await openReadyApp(page);
    await expect(finishedLine(page)).toHaveText('(18 of 18 finished)', { timeout: 120_000 });
    await expect.poll(() => keptInStorage(page)).toEqual({ results: [...first, ...second].map((photo) => photo.name), queue: [] });
    await context.close();
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});

test('photos dropped the moment a first visit has loaded are captioned after the page reloads into cross-origin isolation', async ({ browser }) => {
  const siteRoot = path.resolve('.cache/e2e/first-visit-site');
  await publishSite({ distDir: path.resolve('dist'), siteRoot, extraModelsDir: E2E_MODELS_DIR });
  // A plain static host: no isolation headers, so the service worker reloads the page once.
  const server = await startStaticServer(siteRoot);
  const context = await browser.newContext();
  try {
    // A slow host: the service worker takes a second to arrive, and the photos are dropped before.
    await context.route('**/sw.js', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await route.continue();
    });
    const page = await context.newPage();
    await page.goto(`${server.origin}${APP_SUB_PATH}`);
    const photos = [greyPng('first-white.png', 40, 30, 245), greyPng('first-black.png', 40, 30, 10)];
    await dropFiles(page, photos);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type)).toBe('reload');
    for (const photo of photos) await expectCaptioned(page, photo.name);
    await expect.poll(() => keptInStorage(page)).toEqual({ results: ['first-black.png', 'first-white.png'], queue: [] });
  } finally {
    await context.close();
    await server.close();
  }
});

test('a worker killed mid-batch is replaced: every photo is captioned, none twice', async ({ page }) => {
  await installProbes(page);
  await openReadyApp(page);
  const photos = Array.from({ length: 12 }, (_, i) => greyPng(`crash-${String(i).padStart(2, '0')}.png`, 800, 600, i % 2 ? 20 : 235));
  await dropFiles(page, photos);
  // Some photos done, the next ones in the worker.
  await expect(finishedLine(page)).toHaveText(/^\([2-8] of 12 finished\)$/);
  // Killed mid-photo; the browser then reports the dead worker as an error event.
  const doneBeforeKill = await page.evaluate(() => {
    const worker = window.probes.workers.at(-1)!;
    worker.terminate();
    worker.dispatchEvent(new ErrorEvent('error', { message: 'killed' }));
    return window.workerEvents.filter((event) => event.type === 'job-done').length;
  });
  console.log(`worker killed after ${doneBeforeKill} of 12 photos`);
  expect(doneBeforeKill).toBeGreaterThan(0);
  expect(doneBeforeKill).toBeLessThan(12);
  await expect(finishedLine(page)).toHaveText('(12 of 12 finished)');
  await expectEachCaptioned(page, photos.map((photo) => photo.name));
  const captioned = await captionedIds(page);
  expect(captioned).toHaveLength(12);
  expect(new Set(captioned).size).toBe(12);
  expect(await page.evaluate(() => window.probes.workers.length)).toBe(2);
  await expect.poll(() => keptInStorage(page)).toEqual({ results: photos.map((photo) => photo.name), queue: [] });
});

/** Stores `count` finished results as an earlier visit would have (saved-results.ts's format), each with a small JPEG thumbnail. */
async function seedResults(page: Page, count: number): Promise<void> {
  await page.evaluate(async (count) => {
    const canvas = new OffscreenCanvas(160, 120);
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#8a6';
    context.fillRect(0, 0, 160, 120);
    const thumbnail = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
    const caption = (text: string, p: number) => ({ text, words: text.split(' '), logProb: Math.log(p), p });
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const opening = indexedDB.open('show-and-tell');
      opening.onsuccess = () => resolve(opening.result);
      opening.onerror = () => reject(opening.error);
    });
    const writing = database.transaction('results', 'readwrite');
    const results = writing.objectStore('results');
    results.clear();
    for (let index = 0; index < count; index++) {
      const id = `seeded-${index}`;
      results.put(
        {
          version: 1,
          id,
          name: `library/photo-${String(index).padStart(4, '0')}.jpg`,
          position: index,
          run: 'an-earlier-visit',
          thumbnail,
          settings: { beamSize: 3, maxLength: 20, lengthNormalizationFactor: 0, grounded: true, modelId: 'fixture-squares' },
          editedCaption: null,
          state: { kind: 'done', captions: [caption(`a green square number ${index} .`, 0.5), caption('a green image .', 0.2), caption('a square .', 0.1)], objects: null, elapsedMs: 40 },
        },
        id,
      );
    }
    await new Promise((resolve, reject) => {
      writing.oncomplete = resolve;
      writing.onerror = () => reject(writing.error);
    });
    database.close();
  }, count);
}

declare global {
  interface Window {
    listPaintedAt?: number;
  }
}

/** Reloads and measures navigation → the first frame painted with the restored list; returns it with the page's element count. */
async function restoreTimed(page: Page, count: number): Promise<{ firstPaintMs: number; domNodes: number }> {
  await seedResults(page, count);
  await page.reload();
  await expect(finishedLine(page)).toHaveText(`(${count} of ${count} finished)`);
  await page.waitForFunction(() => window.listPaintedAt !== undefined);
  // Settled: every card in view measured and its thumbnail shown.
  await page.waitForTimeout(500);
  return page.evaluate(() => ({ firstPaintMs: window.listPaintedAt!, domNodes: document.getElementsByTagName('*').length }));
}

test('1,000 kept results come back in under a second into a list as light as 30, where focus, "Find a photo" and Export reach every photo', async ({ page }, testInfo) => {
  await page.addInitScript(() => {
    // The first frame after the first card enters the page: what the person sees.
    const watching = new MutationObserver(() => {
      if (!document.querySelector('[data-testid="photo-card"]')) return;
      watching.disconnect();
      requestAnimationFrame(() => setTimeout(() => (window.listPaintedAt = performance.now())));
    });
    watching.observe(document, { childList: true, subtree: true });
  });
  await openReadyApp(page);
  const few = await restoreTimed(page, 30);
  const many = await restoreTimed(page, 1000);
  console.log(`restored 30 results: first paint of the list ${few.firstPaintMs.toFixed(0)} ms after navigation, ${few.domNodes} elements`);
  console.log(`restored 1000 results: first paint of the list ${many.firstPaintMs.toFixed(0)} ms after navigation, ${many.domNodes} elements (${(many.domNodes / few.domNodes).toFixed(2)}×)`);
  expect(many.firstPaintMs).toBeLessThanOrEqual(1000);
  expect(many.domNodes).toBeLessThanOrEqual(1.2 * few.domNodes);
  await page.screenshot({ path: screenshotPath(testInfo, 'restored-1000.png') });

  // From the keyboard alone, past the cards rendered at first: each Tab brings the next one into the page.
  await card(page, 'photo-0000.jpg').getByRole('button', { name: 'Copy alt text of library/photo-0000.jpg' }).focus();
  // (A frame between presses, as a person's pace gives the list: the cards follow the scrolling once per frame.)
  const nextFrame = () => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  for (let index = 1; index <= 25; index++) {
    do {
      await page.keyboard.press('Tab');
      await nextFrame();
    } while (!(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')?.startsWith('Copy alt text of'))));
  }
  await expect(page.locator(':focus')).toHaveAttribute('aria-label', 'Copy alt text of library/photo-0025.jpg');
  // The focused card stays while the page scrolls far away from it.
  await page.mouse.wheel(0, 100_000);
  await expect(card(page, 'photo-0025.jpg')).toHaveCount(1);
  await expect(page.locator(':focus')).toHaveAttribute('aria-label', 'Copy alt text of library/photo-0025.jpg');

  // Find a photo by name, then by caption.
  const find = page.getByTestId('find-photo');
  await find.fill('photo-0777');
  await expect(page.getByTestId('find-result')).toHaveText('1 of 1000 photos match.');
  await expect(card(page, 'photo-0777.jpg').getByTestId('best-caption')).toHaveText('A green square number 777.');
  await find.fill('number 99');
  await expect(page.getByTestId('find-result')).toHaveText('11 of 1000 photos match.');
  await find.fill('');

  // Export writes every photo, shown or not.
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: /^JSON/ }).click();
  const rows = JSON.parse(await readFile((await (await downloading).path())!, 'utf8')) as { file: string }[];
  expect(rows).toHaveLength(1000);
  expect(rows[999].file).toBe('library/photo-0999.jpg');
});

test('when the browser clears the site’s storage, the page says so and stores again the results it shows', async ({ page, baseURL }) => {
  await openReadyApp(page);
  const photos = [greyPng('kept-white.png', 40, 30, 245), greyPng('kept-black.png', 40, 30, 10)];
  await dropFiles(page, photos);
  await expectEachCaptioned(page, photos.map((photo) => photo.name));
  await expect.poll(() => keptInStorage(page)).toEqual({ results: ['kept-black.png', 'kept-white.png'], queue: [] });
  await expect(page.getByTestId('storage-use')).toContainText(/stored in this browser: [\d.]+ (kB|MB)/);
  // What an eviction, or the person clearing the site's data, does to an open page.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(baseURL!).origin, storageTypes: 'indexeddb' });
  await expect(page.getByTestId('storage-problem')).toContainText('The browser cleared this site’s storage');
  await expect.poll(() => keptInStorage(page)).toEqual({ results: ['kept-black.png', 'kept-white.png'], queue: [] });
});
