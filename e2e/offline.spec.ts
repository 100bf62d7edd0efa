import path from 'node:path';
import { expect, test } from '@playwright/test';
import { dropFiles, expectCaptioned, PHOTOS } from './helpers';
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

test('from a sub-path of a plain static host, the app captions, and after a reload without network captions again from the cache', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.origin}${APP_SUB_PATH}`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('model-origin')).toHaveAttribute('data-origin', 'network');
  await dropFiles(page, [PHOTOS.cat()]);
  await expectCaptioned(page, 'house-cat.jpg');

  const served = server.takeLog().map((file) => file.urlPath);
  expect(served.every((urlPath) => urlPath.startsWith(APP_SUB_PATH))).toBe(true);
  // The package sits in a content-hashed folder, so a host may cache its files for ever.
  expect(served.filter((urlPath) => urlPath.endsWith('.bin'))).toEqual([expect.stringMatching(/\/models\/fixture-squares\/[0-9a-f]{12}\/[^/]+\.bin$/)]);
  // (The browser also asks for /favicon.ico at the site root, which is not the app's.)
  expect(server.notFound.filter((urlPath) => urlPath.startsWith(APP_SUB_PATH))).toEqual([]);

  await page.evaluate(() => navigator.serviceWorker.ready);
  await server.close();
  await context.setOffline(true);
  await page.reload();
  await expect(status).toHaveAttribute('data-phase', 'ready');
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
  await context.close();
});
