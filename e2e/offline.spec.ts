import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { dropFiles, expectCaptioned, PHOTOS } from './helpers';
import { precachedFiles, waitForOfflineCopy } from './offline-copy';
import { E2E_MODELS_DIR } from './paths';
import { startStaticServer, type StaticServer } from './static-server';
import { APP_SUB_PATH, publishSite } from './static-site';

const SITE_ROOT = path.resolve('.cache/e2e/offline-site');

let server: StaticServer;

test.beforeAll(async () => {
  await publishSite({ distDir: path.resolve('dist'), siteRoot: SITE_ROOT, extraModelsDir: E2E_MODELS_DIR });
  server = await startStaticServer(SITE_ROOT);
});

test.afterAll(() => server.close());

/** The model panel's WebAssembly thread count (the runs below are on wasm: WebGL here is software). */
async function expectWasmThreads(page: Page, threads: number): Promise<void> {
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('wasm-threads')).toHaveAttribute('data-threads', String(threads));
}

test('from a sub-path of a plain static host, the service worker makes the app cross-origin isolated (threaded wasm), and after a reload without network it captions again from the cache, on any backend', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // ?threads=2 holds only in a cross-origin isolated page, so it shows the threaded build runs on any machine.
  await page.goto(`${server.origin}${APP_SUB_PATH}?threads=2`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready');
  // The host sent no headers: the service worker added them, after one reload.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expectWasmThreads(page, 2);
  await expect(page.getByTestId('model-origin')).toHaveAttribute('data-origin', 'network');
  await expect(page.getByTestId('model-origin')).toContainText(/\(\d+(\.\d)? kB\)/);
  await dropFiles(page, [PHOTOS.cat()]);
  await expectCaptioned(page, 'house-cat.jpg');

  const served = server.takeLog().map((file) => file.urlPath);
  expect(served.every((urlPath) => urlPath.startsWith(APP_SUB_PATH))).toBe(true);
  // The package sits in a content-hashed folder, so a host may cache its files for ever; the
  // page that reloaded into isolation had not started the captioner, so the model came once.
  expect(served.filter((urlPath) => urlPath.endsWith('.bin'))).toEqual([expect.stringMatching(/\/models\/fixture-squares\/[0-9a-f]{12}\/[^/]+\.bin$/)]);
  // (The browser also asks for /favicon.ico at the site root, which is not the app's.)
  expect(server.notFound.filter((urlPath) => urlPath.startsWith(APP_SUB_PATH))).toEqual([]);
  // After the first caption the service worker completes its copy (the backends this visit did not run among it).
  await waitForOfflineCopy(page, await precachedFiles());

  await server.close();
  await context.setOffline(true);
  await page.reload();
  await expect(status).toHaveAttribute('data-phase', 'ready');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expectWasmThreads(page, 2);
  await expect(page.getByTestId('model-origin')).toHaveAttribute('data-origin', 'cache');
  await expect(page.getByTestId('model-origin')).toContainText('works offline');
  await dropFiles(page, [PHOTOS.boats()]);
  await expectCaptioned(page, 'boats.jpg');
  // The web app manifest and its icons come from the service worker too.
  const offlineStatuses = await page.evaluate(async () => {
    const manifestUrl = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!.href;
    const manifest = (await (await fetch(manifestUrl)).json()) as { icons: { src: string }[] };
    const urls = [manifestUrl, ...manifest.icons.map((icon) => new URL(icon.src, manifestUrl).href)];
    return Promise.all(urls.map(async (url) => `${(await fetch(url)).status} ${url.split('/').pop()}`));
  });
  expect(offlineStatuses).toHaveLength(5);
  for (const status of offlineStatuses) expect(status).toMatch(/^200 /);
  // Backends this visit never ran start offline too: the service worker kept their chunks after the
  // first caption (a chunk it lacked would fail to load, and the worker would fall back to another backend).
  for (const backend of ['webgl', 'cpu']) {
    await page.goto(`${server.origin}${APP_SUB_PATH}?backend=${backend}`);
    await expect(status).toHaveAttribute('data-phase', 'ready');
    await expect(page.getByTestId('backend')).toHaveText(backend);
  }
  await context.close();
  server = await startStaticServer(SITE_ROOT);
});

test('a host that sends no headers, in a browser without service workers, still captions with single-threaded wasm', async ({ browser }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    delete (Navigator.prototype as { serviceWorker?: unknown }).serviceWorker;
  });
  const page = await context.newPage();
  await page.goto(`${server.origin}${APP_SUB_PATH}?threads=2`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expectWasmThreads(page, 1);
  await expect(page.getByTestId('wasm-threads')).toContainText('not cross-origin isolated');
  await dropFiles(page, [PHOTOS.cat()]);
  await expectCaptioned(page, 'house-cat.jpg');
  await context.close();
});
