/**
 * The first visit downloads each file once and only what the chosen backend needs before the first
 * caption: the service worker's install keeps what the page already downloaded, the isolation reload
 * asks the host for nothing it has, and the rest of the offline copy comes after the first caption.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { dropFiles, expectCaptioned, PHOTOS } from './helpers';
import { heldOfflineCopyRequests, holdOfflineCopyRequest, precachedFiles, releaseOfflineCopyRequest, waitForOfflineCopy } from './offline-copy';
import { E2E_MODELS_DIR } from './paths';
import { startStaticServer, type StaticServer } from './static-server';
import { APP_SUB_PATH, publishSite } from './static-site';

const SITE_ROOT = path.resolve('.cache/e2e/first-visit-site');

let server: StaticServer;

test.beforeAll(async () => {
  await publishSite({ distDir: path.resolve('dist'), siteRoot: SITE_ROOT, extraModelsDir: E2E_MODELS_DIR });
  server = await startStaticServer(SITE_ROOT);
});

test.afterAll(() => server.close());

const duplicates = (paths: string[]) => paths.filter((urlPath, index) => paths.indexOf(urlPath) !== index);

test('on wasm, the first visit fetches no other backend before the first caption and no file twice around the isolation reload; the offline copy fills in afterwards', async ({
  browser,
}) => {
  const context = await browser.newContext();
  await holdOfflineCopyRequest(context);
  const page = await context.newPage();
  await page.goto(`${server.origin}${APP_SUB_PATH}`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready');
  // Software WebGL here: auto chooses WebAssembly, and the reload made the page isolated.
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await dropFiles(page, [PHOTOS.cat()]);
  await expectCaptioned(page, 'house-cat.jpg');

  const beforeFirstCaption = server.takeLog().map((file) => file.urlPath);
  expect(beforeFirstCaption.filter((urlPath) => /\/assets\/wasm-backend-[^/]*\.js$/.test(urlPath))).toHaveLength(1);
  expect(beforeFirstCaption.filter((urlPath) => /\/assets\/(webgl|cpu|webgpu)-backend-[^/]*\.js$/.test(urlPath))).toEqual([]);
  expect(duplicates(beforeFirstCaption)).toEqual([]);

  // The page asks for the rest of the offline copy once its first caption is done.
  await expect.poll(() => heldOfflineCopyRequests(page)).toBe(1);

  await releaseOfflineCopyRequest(page);
  await waitForOfflineCopy(page, await precachedFiles());
  const afterFirstCaption = server.takeLog().map((file) => file.urlPath);
  expect(afterFirstCaption.some((urlPath) => /\/assets\/webgl-backend-[^/]*\.js$/.test(urlPath))).toBe(true);
  // The offline copy takes only what the first visit did not already download.
  expect(duplicates([...beforeFirstCaption, ...afterFirstCaption])).toEqual([]);
  await context.close();
});

test('on WebGL, the first visit fetches neither the WebAssembly backend nor its wasm builds before the first caption', async ({ browser }) => {
  server.takeLog();
  const context = await browser.newContext();
  await holdOfflineCopyRequest(context);
  const page = await context.newPage();
  await page.goto(`${server.origin}${APP_SUB_PATH}?backend=webgl`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('backend')).toHaveText('webgl');
  await dropFiles(page, [PHOTOS.cat()]);
  await expectCaptioned(page, 'house-cat.jpg');

  const beforeFirstCaption = server.takeLog().map((file) => file.urlPath);
  expect(beforeFirstCaption.filter((urlPath) => /\/assets\/webgl-backend-[^/]*\.js$/.test(urlPath))).toHaveLength(1);
  expect(beforeFirstCaption.filter((urlPath) => /\/assets\/(wasm|cpu|webgpu)-backend-[^/]*\.js$|\.wasm$/.test(urlPath))).toEqual([]);
  expect(duplicates(beforeFirstCaption)).toEqual([]);
  await context.close();
});
