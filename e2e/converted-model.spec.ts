import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { convertShowAndTell } from '../tools/convert/write-package';
import { encodeGraphDef } from '../tools/convert/graphdef';
import { buildTestGraph, createTestWeights, differencesFromReference, EXPECTED_CAPTION, referenceCaptions, TEST_WORD_COUNTS } from '../test/convert/im2txt-test-graph';
import { captionLines, dropFiles, greyPng } from './helpers';
import { startStaticServer, type StaticServer } from './static-server';
import { APP_SUB_PATH, publishSite } from './static-site';

const WORK_DIR = path.resolve('.cache/e2e/converted');
const SITE_ROOT = path.join(WORK_DIR, 'site');

const WEIGHTS = createTestWeights(4, { captionChain: true });
/** A photo of one grey level: the reference knows the model's input without resizing it. */
const GREY = 90;

let server: StaticServer;

// What a reader of the tutorial does: `npm run convert` on an im2txt GraphDef (here one built by the
// project's test code, written as TensorFlow 1.x writes it, with known weights), then the production
// build serves the package.
test.beforeAll(async () => {
  await rm(WORK_DIR, { recursive: true, force: true });
  await mkdir(WORK_DIR, { recursive: true });
  const graph = path.join(WORK_DIR, 'show-and-tell.pb');
  const vocab = path.join(WORK_DIR, 'word_counts.txt');
  await writeFile(graph, encodeGraphDef(buildTestGraph(WEIGHTS)));
  await writeFile(vocab, TEST_WORD_COUNTS);
  const modelsDir = path.join(WORK_DIR, 'models');
  await convertShowAndTell({ graph, vocab, out: path.join(modelsDir, 'im2txt'), modelsJson: path.join(modelsDir, 'models.json') });
  await publishSite({ distDir: path.resolve('dist'), siteRoot: SITE_ROOT, extraModelsDir: modelsDir });
  server = await startStaticServer(SITE_ROOT);
});

test.afterAll(() => server.close());

test("a package converted from an im2txt GraphDef runs in the app and gives the reference's captions and p", async ({ page }) => {
  await page.goto(`${server.origin}${APP_SUB_PATH}?backend=webgl`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready');
  await expect(status).toContainText('Show and Tell (im2txt)');
  await dropFiles(page, [greyPng('grey.png', 64, 48, GREY)]);
  const lines = await captionLines(page, 'grey.png');
  expect(lines[0].sentence).toBe(EXPECTED_CAPTION.join(' '));
  const captions = lines.map(({ sentence, p }) => ({ text: sentence, p }));
  expect(differencesFromReference(captions, referenceCaptions(WEIGHTS, GREY))).toEqual([]);
});
