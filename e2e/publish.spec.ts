/**
 * Issue 27, the page: a photo's own description is read, shown on its card and used as alt text
 * unless the person picks the model's; the export carries both; a JPEG card downloads its photo with
 * the chosen alt text embedded, image data unchanged (checked with ExifTool).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ExifTool } from 'exiftool-vendored';
import jpeg from 'jpeg-js';
import type { ExportRow } from '../src/services/export';
import { card, dropFiles, expectCaptioned, openReadyApp, screenshotPath, type TestFile } from './helpers';

const DESCRIPTION = 'Grandma’s kitchen, 1972';
const MODEL_CAPTION = 'A white square.';

const exiftool = new ExifTool({ maxProcs: 1 });
let dir: string;
test.beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'publish-'));
});
test.afterAll(async () => {
  await exiftool.end();
  await rm(dir, { recursive: true, force: true });
});

function whiteJpeg(): Buffer {
  const data = Buffer.alloc(32 * 32 * 4, 240);
  return jpeg.encode({ width: 32, height: 32, data }, 90).data;
}

/** From the start of scan to the end: the image data, which must come back byte for byte. */
function scanData(bytes: Buffer): Buffer {
  for (let at = 2; at < bytes.length; at += 2 + bytes.readUInt16BE(at + 2)) if (bytes[at + 1] === 0xda) return bytes.subarray(at);
  throw new Error('no start of scan');
}

async function downloadPhoto(page: Page, fileName: string): Promise<{ name: string; bytes: Buffer; tags: Record<string, unknown> }> {
  const downloading = page.waitForEvent('download');
  await card(page, fileName).getByRole('button', { name: `Download ${fileName} with its alt text` }).click();
  const download = await downloading;
  const file = path.join(dir, `${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  const tags = (await exiftool.readRaw(file, { readArgs: ['-G1', '-a', '-all', '-validate'] })) as Record<string, unknown>;
  return { name: download.suggestedFilename(), bytes: await readFile(file), tags };
}

test('a photo’s own description is its alt text until the model’s is chosen; the download embeds the choice, pixels unchanged', async ({ page }, testInfo) => {
  const described = path.join(dir, 'kitchen.jpg');
  await writeFile(described, whiteJpeg());
  // Only EXIF ImageDescription: the page must read that field too, and the download must not leave it stale.
  await exiftool.write(described, { 'EXIF:ImageDescription': DESCRIPTION } as Record<string, string>, { writeArgs: ['-overwrite_original'] });
  const original = await readFile(described);
  const files: TestFile[] = [
    { name: 'kitchen.jpg', mimeType: 'image/jpeg', base64: original.toString('base64') },
    { name: 'plain.jpg', mimeType: 'image/jpeg', base64: whiteJpeg().toString('base64') },
  ];

  await openReadyApp(page);
  await dropFiles(page, files);
  await expectCaptioned(page, 'kitchen.jpg');
  await expectCaptioned(page, 'plain.jpg');
  const kitchen = card(page, 'kitchen.jpg');
  await expect(kitchen.getByTestId('photo-description')).toContainText(`Has a description: ${DESCRIPTION}`);
  await expect(kitchen.getByTestId('best-caption')).toHaveText(DESCRIPTION);
  await expect(kitchen.getByTestId('description-tag')).toBeVisible();
  await expect(card(page, 'plain.jpg').getByTestId('photo-description')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath(testInfo, 'publish-description.png'), fullPage: true });

  // The person's words go out as they are, not marked as machine-written.
  let download = await downloadPhoto(page, 'kitchen.jpg');
  expect(download.name).toBe('kitchen.jpg');
  expect([download.tags['XMP-dc:Description'], download.tags['IFD0:ImageDescription']]).toEqual([DESCRIPTION, DESCRIPTION]);
  expect(download.tags['XMP-photoshop:CaptionWriter']).toBeUndefined();
  expect(download.tags['ExifTool:Validate']).toBe('OK');
  expect(scanData(download.bytes).equals(scanData(original))).toBe(true);

  await kitchen.getByRole('button', { name: 'Use the model’s caption as alt text of kitchen.jpg' }).click();
  await expect(kitchen.getByTestId('best-caption')).toHaveText(MODEL_CAPTION);
  await expect(kitchen.getByTestId('photo-description')).toContainText(DESCRIPTION);
  download = await downloadPhoto(page, 'kitchen.jpg');
  expect([download.tags['XMP-dc:Description'], download.tags['IFD0:ImageDescription']]).toEqual([MODEL_CAPTION, MODEL_CAPTION]);
  expect(download.tags['XMP-photoshop:CaptionWriter']).toMatch(/^show-and-tell-browser \(machine-written, model: .+\)$/);
  expect(scanData(download.bytes).equals(scanData(original))).toBe(true);

  const plain = await downloadPhoto(page, 'plain.jpg');
  expect(plain.tags['XMP-dc:Description']).toBe(MODEL_CAPTION);

  // The export carries both the alt text used and the photo's own description.
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const exporting = page.waitForEvent('download');
  await page.getByRole('button', { name: /^JSON/ }).click();
  const rows = JSON.parse(await readFile((await (await exporting).path())!, 'utf8')) as ExportRow[];
  expect(rows.find((row) => row.file === 'kitchen.jpg')).toMatchObject({ caption: MODEL_CAPTION, description: DESCRIPTION });
  expect(rows.find((row) => row.file === 'plain.jpg')).toMatchObject({ caption: MODEL_CAPTION, description: null });
});
