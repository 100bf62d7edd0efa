import path from 'node:path';
import { expect, test } from '@playwright/test';
import { chromiumLaunchOptions, SOFTWARE_WEBGL_ARGS } from './browser';
import { captionsOnBackend, expectSameCaptions, PHOTOS } from './helpers';
import { startStaticServer, type StaticServer } from './static-server';
import { APP_SUB_PATH, publishSite } from './static-site';

const SITE_ROOT = path.resolve('.cache/e2e/webgpu-site');

// Debian's Chromium offers a software (SwiftShader) WebGPU adapter with this flag, on localhost.
test.use({ launchOptions: chromiumLaunchOptions([...SOFTWARE_WEBGL_ARGS, '--enable-unsafe-webgpu']) });

let server: StaticServer;

test.beforeAll(async () => {
  await publishSite({ distDir: path.resolve('dist'), siteRoot: SITE_ROOT });
  server = await startStaticServer(SITE_ROOT);
});

test.afterAll(() => server.close());

test('WebGPU gives the captions that wasm gives, and the automatic choice passes over a software adapter', async ({ browser }) => {
  test.setTimeout(300_000);
  const app = `${server.origin}${APP_SUB_PATH}`;
  const onWasm = await captionsOnBackend(browser, app, 'wasm', PHOTOS.boats(), async (page) => {
    await expect(page.getByTestId('backend-reason')).toContainText('chosen automatically');
  });
  const onWebgpu = await captionsOnBackend(browser, `${app}?backend=webgpu`, 'webgpu', PHOTOS.boats());
  expectSameCaptions(onWebgpu, onWasm);
});
