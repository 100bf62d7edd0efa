import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parseModelList } from '../src/captioner/model-list';
import { captionLines, captionsOnBackend, card, cliCaptions, dropFiles, expectCaptioned, expectSameCaptions, losslessCopy, PHOTOS, screenshotPath, type TestFile } from './helpers';
import { startStaticServer, type StaticServer } from './static-server';
import { APP_SUB_PATH, publishSite } from './static-site';

const SITE_ROOT = path.resolve('.cache/e2e/default-model-site');

/** The name the shipped default's card gives it: the status shows this, not the other model's. */
const DEFAULT_MODEL_NAME = (() => {
  const { default: id } = parseModelList(JSON.parse(readFileSync('public/models/models.json', 'utf8')));
  return (JSON.parse(readFileSync(path.join('public/models', id ?? '', 'card.json'), 'utf8')) as { name: string }).name;
})();

/** A cat on a blanket (COCO 6397, in ../shared; the @stdlib "house cat" is a grid of Muybridge's frames no model calls a cat). */
const CAT_PHOTO = path.resolve('../shared/data/photos/000000006397.jpg');

async function openShippedApp(page: Page): Promise<void> {
  await page.goto(`${server.origin}${APP_SUB_PATH}`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expect(status).toContainText(`Ready: ${DEFAULT_MODEL_NAME}`);
  await expect(page.getByText(/test fixture/i)).toHaveCount(0);
}

/** Every one of the photo's captions (the model's sentences, not the alt text a photo may carry) matches `names`. */
/** The best caption names BEST; every ranked caption names one of ANY (BEST when not given). */
async function expectCaptionsName(page: Page, fileName: string, best: RegExp, any = best): Promise<void> {
  const lines = await captionLines(page, fileName);
  expect(lines[0].sentence, `${fileName}, best caption`).toMatch(best);
  for (const { sentence } of lines) expect(sentence, fileName).toMatch(any);
}

let server: StaticServer;

// The production build exactly as shipped (no fixture laid over it): what `npm start` gives a user.
test.beforeAll(async () => {
  await publishSite({ distDir: path.resolve('dist'), siteRoot: SITE_ROOT });
  server = await startStaticServer(SITE_ROOT);
});

test.afterAll(() => server.close());

test('the shipped default model loads in the browser and captions real photos', async ({ page }, testInfo) => {
  await openShippedApp(page);
  await dropFiles(page, [PHOTOS.boats(), PHOTOS.cat()]);
  // The photo holds boats and people (the detector finds both): the third caption may speak of the people.
  await expectCaptionsName(page, 'boats.jpg', /\bboats?\b/, /\b(boats?|people|persons?)\b/i);
  await expectCaptioned(page, 'house-cat.jpg');
  await page.screenshot({ path: screenshotPath(testInfo, 'default-model.png'), fullPage: true });
});

test('the shipped default model names the cat in a photo of a cat', async ({ page }) => {
  test.skip(!existsSync(CAT_PHOTO), 'needs ../shared/data/photos');
  await openShippedApp(page);
  const cat: TestFile = { name: 'cat.jpg', mimeType: 'image/jpeg', base64: readFileSync(CAT_PHOTO).toString('base64') };
  await dropFiles(page, [cat]);
  await expectCaptionsName(page, 'cat.jpg', /\bcats?\b/);
});

test('software WebGL (the device-side top-k path) gives the captions that wasm gives', async ({ browser }) => {
  test.setTimeout(240_000);
  const app = `${server.origin}${APP_SUB_PATH}`;
  const onWasm = await captionsOnBackend(browser, app, 'wasm', PHOTOS.boats());
  const onWebgl = await captionsOnBackend(browser, `${app}?backend=webgl`, 'webgl', PHOTOS.boats());
  expectSameCaptions(onWebgl, onWasm);
});

test('detected objects: boxes inside the photo, an Objects line, highlighting, and the grounding switch', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await page.goto(`${server.origin}${APP_SUB_PATH}`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 180_000 });
  const grounding = page.getByLabel('Grounded in detected objects');
  await expect(grounding).toBeChecked();
  await dropFiles(page, [PHOTOS.boats()]);
  await expectCaptioned(page, 'boats.jpg');
  const photo = card(page, 'boats.jpg');
  await expect(photo.getByTestId('objects-line')).toHaveText(/^Objects: .*person/);

  // Every box lies inside the photo it is drawn over.
  const image = await photo.locator('img.thumbnail').boundingBox();
  const boxes = photo.locator('.object-box');
  expect(await boxes.count()).toBeGreaterThan(0);
  for (const box of await boxes.all()) {
    const rect = (await box.boundingBox())!;
    expect(rect.x).toBeGreaterThanOrEqual(image!.x - 1);
    expect(rect.y).toBeGreaterThanOrEqual(image!.y - 1);
    expect(rect.x + rect.width).toBeLessThanOrEqual(image!.x + image!.width + 1);
    expect(rect.y + rect.height).toBeLessThanOrEqual(image!.y + image!.height + 1);
  }

  // Pointing at a caption word that names an object highlights that object's boxes. The @stdlib photo
  // carries its museum's description, which the card uses as alt text until the model's caption is chosen.
  await photo.getByRole('button', { name: 'Use the model’s caption as alt text of boats.jpg' }).click();
  const word = photo.locator('mark.object-word').first();
  const label = await word.getAttribute('data-label');
  await photo.getByRole('button', { name: 'Show boats.jpg larger' }).click();
  await word.hover();
  await expect(photo.locator(`.object-box.highlighted[data-label="${label}"]`).first()).toBeVisible();
  await page.screenshot({ path: screenshotPath(testInfo, 'detected-objects.png'), fullPage: true });

  // With the switch off the app gives what the CLI gives with --no-grounding.
  await grounding.uncheck();
  // A lossless copy, since Chromium's JPEG decoder and the CLI's round differently (see losslessCopy).
  const boats = await losslessCopy(PHOTOS.boats());
  await dropFiles(page, [boats]);
  const ungrounded = await captionLines(page, boats.name);
  const [cli] = await cliCaptions(['--no-grounding', boats.path]);
  expect(ungrounded.map((line) => line.sentence)).toEqual(cli);
});
