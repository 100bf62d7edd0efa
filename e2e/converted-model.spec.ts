import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { convertShowAndTell } from '../tools/convert/write-package';
import { encodeGraphDef } from '../tools/convert/graphdef';
import { buildTestGraph, createTestWeights, EXPECTED_CAPTION, TEST_WORD_COUNTS } from '../test/convert/im2txt-test-graph';
import { card, dropFiles, expectCaptioned, PHOTOS } from './helpers';
import { startStaticServer, type StaticServer } from './static-server';
import { APP_SUB_PATH, publishSite } from './static-site';

const WORK_DIR = path.resolve('.cache/e2e/converted');
const SITE_ROOT = path.join(WORK_DIR, 'site');

let server: StaticServer;

// What a reader of the tutorial does: `npm run convert` on an im2txt GraphDef (here one built by the
// project's test code, with known weights), then the production build serves the package.
test.beforeAll(async () => {
  await rm(WORK_DIR, { recursive: true, force: true });
  await mkdir(WORK_DIR, { recursive: true });
  const graph = path.join(WORK_DIR, 'show-and-tell.pb');
  const vocab = path.join(WORK_DIR, 'word_counts.txt');
  await writeFile(graph, encodeGraphDef(buildTestGraph(createTestWeights(4, { captionChain: true }))));
  await writeFile(vocab, TEST_WORD_COUNTS);
  const modelsDir = path.join(WORK_DIR, 'models');
  await convertShowAndTell({ graph, vocab, out: path.join(modelsDir, 'im2txt'), modelsJson: path.join(modelsDir, 'models.json') });
  await publishSite({ distDir: path.resolve('dist'), siteRoot: SITE_ROOT, extraModelsDir: modelsDir });
  server = await startStaticServer(SITE_ROOT);
});

test.afterAll(() => server.close());

test('a package converted from an im2txt GraphDef runs in the app and gives the expected caption', async ({ page }) => {
  await page.goto(`${server.origin}${APP_SUB_PATH}?backend=webgl`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready');
  await expect(status).toContainText('Show and Tell (im2txt)');
  await dropFiles(page, [PHOTOS.cat()]);
  await expectCaptioned(page, 'house-cat.jpg');
  await expect(card(page, 'house-cat.jpg').getByTestId('caption-lines').getByRole('listitem').first()).toContainText(
    `0) ${EXPECTED_CAPTION.join(' ')} (p=`,
  );
});
