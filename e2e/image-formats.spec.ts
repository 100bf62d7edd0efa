/**
 * Issue 40, the page: transparent pixels are shown over white in the captions and the thumbnails,
 * as in the CLI (test/unit/transparency.test.ts).
 */
import { expect, test, type Page } from '@playwright/test';
import { FIXTURE_CAPTIONS } from '../tools/fixture/make-fixture-model';
import { captionLines, card, dropFiles, openReadyApp, type TestFile } from './helpers';
import { LOOK_ALIKE_PNGS } from './look-alikes';

const pngFile = (name: string, bytes: Uint8Array): TestFile => ({ name, mimeType: 'image/png', base64: Buffer.from(bytes).toString('base64') });

/** The bytes of a card's thumbnail (a JPEG the worker made), as base64. */
async function thumbnailBytes(page: Page, fileName: string): Promise<string> {
  const image = card(page, fileName).locator('img.thumbnail');
  await expect(image).toBeVisible();
  return image.evaluate(async (element: HTMLImageElement) => {
    const bytes = new Uint8Array(await (await fetch(element.src)).arrayBuffer());
    return btoa(String.fromCharCode(...bytes));
  });
}

test('transparent PNGs are captioned and thumbnailed as shown over white, whatever colour they hide', async ({ page }) => {
  await openReadyApp(page);
  const names = Object.keys(LOOK_ALIKE_PNGS);
  await dropFiles(page, names.map((name) => pngFile(name, LOOK_ALIKE_PNGS[name])));
  const [opaque, ...hidden] = await Promise.all(names.map((name) => captionLines(page, name)));
  expect(opaque[0].sentence).toBe(FIXTURE_CAPTIONS.bright[0]);
  for (const lines of hidden) expect(lines).toEqual(opaque);
  const [opaqueThumbnail, ...hiddenThumbnails] = await Promise.all(names.map((name) => thumbnailBytes(page, name)));
  for (const thumbnail of hiddenThumbnails) expect(thumbnail).toBe(opaqueThumbnail);
});
