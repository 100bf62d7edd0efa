/**
 * Issue 40, the page: transparent pixels are shown over white in the captions and the thumbnails,
 * as in the CLI (test/unit/transparency.test.ts); HEIC photos are decoded by a worker and a
 * WebAssembly decoder that load only when one arrives (test/unit/heic.test.ts for the CLI).
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURE_CAPTIONS } from '../tools/fixture/make-fixture-model';
import { captionLines, card, dropFiles, openReadyApp, type TestFile } from './helpers';
import { LOOK_ALIKE_PNGS } from './look-alikes';

const pngFile = (name: string, bytes: Uint8Array): TestFile => ({ name, mimeType: 'image/png', base64: Buffer.from(bytes).toString('base64') });

/** The pixels of a card's thumbnail (a JPEG the worker made), as shown, in base64. */
async function thumbnailPixels(page: Page, fileName: string): Promise<string> {
  const image = card(page, fileName).locator('img.thumbnail');
  await expect(image).toBeVisible();
  return image.evaluate(async (element: HTMLImageElement) => {
    await element.decode();
    const canvas = new OffscreenCanvas(element.naturalWidth, element.naturalHeight);
    const context = canvas.getContext('2d')!;
    context.drawImage(element, 0, 0);
    return btoa(String.fromCharCode(...context.getImageData(0, 0, canvas.width, canvas.height).data));
  });
}

test('transparent PNGs are captioned and thumbnailed as shown over white, whatever colour they hide', async ({ page }) => {
  await openReadyApp(page);
  const names = Object.keys(LOOK_ALIKE_PNGS);
  await dropFiles(page, names.map((name) => pngFile(name, LOOK_ALIKE_PNGS[name])));
  const [opaque, ...hidden] = await Promise.all(names.map((name) => captionLines(page, name)));
  expect(opaque[0].sentence).toBe(FIXTURE_CAPTIONS.bright[0]);
  for (const lines of hidden) expect(lines).toEqual(opaque);
  const [opaqueThumbnail, ...hiddenThumbnails] = await Promise.all(names.map((name) => thumbnailPixels(page, name)));
  for (const thumbnail of hiddenThumbnails) expect(thumbnail).toBe(opaqueThumbnail);
});

test('a HEIC photo is captioned; its decoder loads only when one arrives', async ({ page }) => {
  const decoderRequests: string[] = [];
  page.on('request', (request) => {
    if (/libheif[^/]*\.wasm$/.test(request.url())) decoderRequests.push(request.url());
  });
  const heicWorkers = () => page.workers().filter((worker) => /heic\.worker/.test(worker.url()));
  await openReadyApp(page);
  await dropFiles(page, [pngFile('white.png', LOOK_ALIKE_PNGS['opaque-white.png'])]);
  await captionLines(page, 'white.png');
  expect(decoderRequests).toEqual([]);
  expect(heicWorkers()).toEqual([]);

  const heic = readFileSync('e2e/fixtures/bright.heic').toString('base64');
  await dropFiles(page, [{ name: 'IMG_0001.HEIC', mimeType: 'image/heic', base64: heic }]);
  const lines = await captionLines(page, 'IMG_0001.HEIC');
  expect(lines[0].sentence).toBe(FIXTURE_CAPTIONS.bright[0]);
  await expect(card(page, 'IMG_0001.HEIC').locator('img.thumbnail')).toBeVisible();
  expect(decoderRequests).toHaveLength(1);
  expect(heicWorkers()).toHaveLength(1);
});
