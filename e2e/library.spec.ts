/**
 * Issue 17, the page: editing captions, exporting CSV and JSON, results kept across a reload and a
 * browser restart, folders (dropped and chosen), the queue's progress and Cancel, storage failures.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import Papa from 'papaparse';
import type { ExportRow } from '../src/services/export';
import { FIXTURE_CAPTIONS } from '../tools/fixture/make-fixture-model';
import {
  captionLines,
  card,
  dropFiles,
  expectCaptioned,
  generatedInput,
  greyPng,
  keptInStorage,
  keptRecords,
  launchWithProfile,
  openReadyApp,
  screenshotPath,
  type TestFile,
} from './helpers';

const WHITE = () => generatedInput('white.png', 'image/png');
const BLACK = () => generatedInput('black.png', 'image/png');

function editButton(page: Page, fileName: string) {
  return card(page, fileName).getByRole('button', { name: `Edit alt text of ${fileName}` });
}

async function editCaption(page: Page, fileName: string, text: string): Promise<void> {
  await editButton(page, fileName).click();
  const input = card(page, fileName).getByTestId('caption-input');
  await input.fill(text);
  await input.press('Enter');
  await expect(card(page, fileName).getByTestId('best-caption')).toHaveText(text);
}

async function exportFile(page: Page, format: 'CSV' | 'JSON'): Promise<{ name: string; text: string }> {
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: new RegExp(`^${format}`) }).click();
  const download = await downloading;
  return { name: download.suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
}

test('a caption is edited in place: Escape cancels, Enter saves, the edit is copied and marked, the model’s captions stay', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openReadyApp(page);
  await dropFiles(page, [WHITE()]);
  await expectCaptioned(page, 'white.png');
  const photo = card(page, 'white.png');
  const best = photo.getByTestId('best-caption');
  await expect(best).toHaveText('A white square.');

  await editButton(page, 'white.png').click();
  const input = photo.getByTestId('caption-input');
  await expect(input).toBeFocused();
  await expect(input).toHaveValue('A white square.');
  await input.fill('Nothing to see here');
  await input.press('Escape');
  await expect(best).toHaveText('A white square.');
  await expect(photo.getByTestId('edited-tag')).toHaveCount(0);
  await expect(editButton(page, 'white.png')).toBeFocused();

  // From the keyboard alone: Enter on the focused Edit button opens the editor again.
  await page.keyboard.press('Enter');
  await expect(input).toBeFocused();
  await page.keyboard.insertText('A blank white card on a table');
  await page.keyboard.press('Enter');
  await expect(best).toHaveText('A blank white card on a table');
  await expect(photo.getByTestId('edited-tag')).toBeVisible();
  await expect(editButton(page, 'white.png')).toBeFocused();
  const lines = await photo.getByTestId('caption-lines').getByRole('listitem').allTextContents();
  expect(lines.map((line) => line.replace(/^\d\) (.*) \(p=.*$/, '$1'))).toEqual(FIXTURE_CAPTIONS.bright);

  await photo.getByRole('button', { name: 'Copy alt text of white.png' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('A blank white card on a table');

  await photo.getByRole('button', { name: 'Revert white.png to the model’s caption' }).click();
  await expect(best).toHaveText('A white square.');
  await expect(photo.getByTestId('edited-tag')).toHaveCount(0);
});

test('Export writes every captioned photo as CSV and as JSON, with the caption used and whether it was edited', async ({ page }) => {
  await openReadyApp(page);
  await dropFiles(page, [WHITE(), BLACK(), generatedInput('notes.jpg', 'image/jpeg')]);
  const white = await captionLines(page, 'white.png');
  const black = await captionLines(page, 'black.png');
  await expect(card(page, 'notes.jpg')).toHaveAttribute('data-state', 'failed');
  // Commas, quotes and a leading "=" test the CSV's quoting and its formula escaping.
  const edited = '=A "white", blank card';
  await editCaption(page, 'white.png', edited);

  const csv = await exportFile(page, 'CSV');
  expect(csv.name).toMatch(/^captions-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(csv.text.startsWith('\uFEFF')).toBe(true);
  const parsed = Papa.parse<string[]>(csv.text.slice(1).trim());
  expect(parsed.errors).toEqual([]);
  expect(parsed.data).toEqual([
    ['file', 'caption', 'language', 'p', 'edited', 'model_caption', 'description', 'objects'],
    ['white.png', `'${edited}`, 'en', expect.any(String), 'true', 'A white square.', '', ''],
    ['black.png', 'A black square.', 'en', expect.any(String), 'false', 'A black square.', '', ''],
  ]);
  expect(Number(parsed.data[1][3])).toBeCloseTo(white[0].p, 6);
  expect(Number(parsed.data[2][3])).toBeCloseTo(black[0].p, 6);

  const json = await exportFile(page, 'JSON');
  expect(json.name).toMatch(/^captions-\d{4}-\d{2}-\d{2}\.json$/);
  const rows = JSON.parse(json.text) as ExportRow[];
  expect(rows.map(({ file, caption, edited }) => ({ file, caption, edited }))).toEqual([
    { file: 'white.png', caption: edited, edited: true },
    { file: 'black.png', caption: 'A black square.', edited: false },
  ]);
  expect(rows[0].captions.map((caption) => caption.text)).toEqual(FIXTURE_CAPTIONS.bright);
  expect(rows[0].captions.map((caption) => caption.p.toFixed(6))).toEqual(white.map((line) => line.p.toFixed(6)));
  expect(rows[0].settings).toMatchObject({ beamSize: expect.any(Number), maxLength: expect.any(Number), modelId: 'fixture-squares' });
  // The fixture detects no objects (null), so the rows carry none.
  expect(rows.every((row) => !('objects' in row))).toBe(true);
});

test('finished results, edits and thumbnails survive a reload and a browser restart, until Clear finished removes them', async ({ baseURL }, testInfo) => {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'show-and-tell-profile-'));
  try {
    let { context, page } = await launchWithProfile(profile, baseURL);
    await openReadyApp(page);
    await dropFiles(page, [WHITE(), BLACK()]);
    await expectCaptioned(page, 'white.png');
    await expectCaptioned(page, 'black.png');
    await editCaption(page, 'black.png', 'A dark night sky');
    // A person reloads seconds later, not within the milliseconds the edit takes to reach storage.
    await expect.poll(async () => (await keptRecords(page)).results.find(({ name }) => name === 'black.png')?.editedCaption).toBe('A dark night sky');

    const expectKept = async () => {
      await expect(page.getByTestId('photo-card').locator('.file-name')).toHaveText(['white.png', 'black.png']);
      await expectCaptioned(page, 'white.png');
      await expect(card(page, 'white.png').getByTestId('best-caption')).toHaveText('A white square.');
      await expect(card(page, 'black.png').getByTestId('best-caption')).toHaveText('A dark night sky');
      await expect(card(page, 'black.png').getByTestId('edited-tag')).toBeVisible();
      await expect(card(page, 'black.png').getByTestId('caption-settings')).toContainText('beam 3');
      const thumbnail = card(page, 'white.png').locator('img.thumbnail');
      await expect(thumbnail).toHaveJSProperty('complete', true);
      expect(await thumbnail.evaluate((image: HTMLImageElement) => [image.naturalWidth, image.naturalHeight])).toEqual([160, 120]);
    };
    await page.reload();
    await expectKept();

    await context.close(); // the browser exits with its last page
    ({ context, page } = await launchWithProfile(profile, baseURL));
    await page.goto('./?backend=webgl');
    await expectKept();
    await page.screenshot({ path: screenshotPath(testInfo, 'restored.png'), fullPage: true });

    await page.getByRole('button', { name: 'Clear finished' }).click();
    await expect(page.getByTestId('photo-card')).toHaveCount(0);
    await expect.poll(() => keptInStorage(page)).toEqual({ results: [], queue: [] });
    await page.reload();
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready');
    await expect(page.getByTestId('photo-card')).toHaveCount(0);
    await context.close();
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});

/**
 * A dropped folder as the File and Directory Entries API presents it (what Chrome hands a page for a
 * folder from the desktop); the files named in `unreadable` fail as a file without read permission does.
 */
async function dropFolder(page: Page, folder: string, files: TestFile[], unreadable: string[] = []): Promise<void> {
  await page.evaluate(
    ({ folder, files, unreadable }) => {
      type Entry = { isFile: boolean; isDirectory: boolean; name: string; fullPath: string; file?: unknown; createReader?: unknown };
      const directory = (fullPath: string, children: Entry[]): Entry => {
        let handedOut = false;
        return {
          isFile: false,
          isDirectory: true,
          name: fullPath.split('/').pop()!,
          fullPath,
          // Like Chrome: the entries in a batch, then an empty batch.
          createReader: () => ({ readEntries: (resolve: (entries: Entry[]) => void) => setTimeout(() => resolve(handedOut ? [] : ((handedOut = true), children))) }),
        };
      };
      const root = { children: [] as Entry[], folders: new Map<string, Entry[]>() };
      const folderChildren = (fullPath: string): Entry[] => {
        if (fullPath === `/${folder}`) return root.children;
        let children = root.folders.get(fullPath);
        if (!children) {
          children = [];
          root.folders.set(fullPath, children);
          const parent = fullPath.slice(0, fullPath.lastIndexOf('/'));
          folderChildren(parent).push(directory(fullPath, children));
        }
        return children;
      };
      for (const { name, mimeType, base64 } of files) {
        const fullPath = `/${folder}/${name}`;
        const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
        const file = new File([bytes], fullPath.split('/').pop()!, { type: mimeType });
        folderChildren(fullPath.slice(0, fullPath.lastIndexOf('/'))).push({
          isFile: true,
          isDirectory: false,
          name: file.name,
          fullPath,
          file: (resolve: (file: File) => void, fail: (error: DOMException) => void) =>
            setTimeout(() => (unreadable.includes(name) ? fail(new DOMException('The requested file could not be read.', 'NotReadableError')) : resolve(file))),
        });
      }
      const event = new DragEvent('drop', { bubbles: true, cancelable: true });
      const item = { kind: 'file', getAsFile: () => null, webkitGetAsEntry: () => directory(`/${folder}`, root.children) };
      Object.defineProperty(event, 'dataTransfer', { value: { items: [item], files: [] } });
      document.querySelector('[data-testid="drop-zone"]')!.dispatchEvent(event);
    },
    { folder, files, unreadable },
  );
}

const FOLDER_FILES = () => [
  greyPng('a.png', 20, 20, 240),
  greyPng('day 2/b.png', 20, 20, 15),
  greyPng('day 2/night/c.png', 20, 20, 245),
  { name: 'day 2/notes.txt', mimeType: 'text/plain', base64: Buffer.from('not a photo').toString('base64') },
  greyPng('.thumbnails/a.png', 8, 8, 240),
];

const FOLDER_PHOTOS = ['trip/a.png', 'trip/day 2/b.png', 'trip/day 2/night/c.png'];

test('a dropped folder captions every photo in it and in its subfolders, by path, skipping other and hidden files', async ({ page }) => {
  await openReadyApp(page);
  await dropFolder(page, 'trip', FOLDER_FILES());
  for (const name of FOLDER_PHOTOS) await expectCaptioned(page, name);
  await expect(page.getByTestId('photo-card').locator('.file-name')).toHaveText(FOLDER_PHOTOS);
});

test('a file of a dropped folder that cannot be read gets its own error card, and the rest of the folder is captioned', async ({ page }) => {
  await openReadyApp(page);
  await dropFolder(page, 'trip', FOLDER_FILES(), ['day 2/b.png']);
  for (const name of ['trip/a.png', 'trip/day 2/night/c.png']) await expectCaptioned(page, name);
  await expect(page.getByTestId('photo-card').locator('.file-name')).toHaveText(FOLDER_PHOTOS);
  const locked = card(page, 'trip/day 2/b.png');
  await expect(locked).toHaveAttribute('data-state', 'failed');
  await expect(locked.getByTestId('job-error')).toHaveText(/This file could not be read: The requested file could not be read\./);
});

test('"choose a folder" captions the photos of a folder chosen in the file dialog, subfolders included', async ({ page }) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'show-and-tell-folder-'));
  try {
    for (const { name, base64 } of FOLDER_FILES()) {
      await mkdir(path.dirname(path.join(root, 'trip', name)), { recursive: true });
      await writeFile(path.join(root, 'trip', name), Buffer.from(base64, 'base64'));
    }
    await openReadyApp(page);
    await page.getByTestId('folder-input').setInputFiles(path.join(root, 'trip'));
    for (const name of FOLDER_PHOTOS) await expectCaptioned(page, name);
    await expect(page.getByTestId('photo-card')).toHaveCount(FOLDER_PHOTOS.length);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the queue shows "N of M done, about T left" and Cancel drops the photos not captioned yet', async ({ page }, testInfo) => {
  await openReadyApp(page);
  const photos = Array.from({ length: 60 }, (_, i) => greyPng(`queued-${i}.png`, 24, 24, i % 2 ? 20 : 235));
  await dropFiles(page, photos);
  const status = page.getByTestId('queue-status');
  await expect(status).toContainText(/^\d+ of 60 done, about \d+ (s|min) left/);
  await page.screenshot({ path: screenshotPath(testInfo, 'queue.png') });
  await status.getByRole('button', { name: 'Cancel' }).click();
  await expect(status).toHaveCount(0);
  // The heading counts every photo, in view or not: only finished ones are left.
  const finished = page.getByTestId('photos-finished');
  await expect(finished).toHaveText(/^\((\d+) of \1 finished\)$/);
  const done = Number(/\((\d+) of/.exec((await finished.textContent())!)![1]);
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(60);
  // Nothing is captioned after Cancel: every photo left is finished, and stays so.
  await page.waitForTimeout(1000);
  await expect(finished).toHaveText(`(${done} of ${done} finished)`);
  await expect(page.locator('[data-testid="photo-card"]:not([data-state="done"])')).toHaveCount(0);
});

for (const { failure, breakStorage, message } of [
  {
    failure: 'no IndexedDB (private mode, storage turned off)',
    breakStorage: () => Object.defineProperty(window, 'indexedDB', { value: undefined }),
    message: /does not let the page store data/,
  },
  {
    failure: 'a full quota',
    breakStorage: () => {
      IDBObjectStore.prototype.put = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    },
    message: /storage for this site is full/,
  },
]) {
  test(`with ${failure}, the page says results are not kept, and captioning goes on`, async ({ page }) => {
    await page.addInitScript(breakStorage);
    await openReadyApp(page);
    await dropFiles(page, [WHITE(), BLACK()]);
    await expectCaptioned(page, 'white.png');
    await expectCaptioned(page, 'black.png');
    await expect(page.getByTestId('storage-problem')).toHaveText(message);
  });
}
