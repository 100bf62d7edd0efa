/** The service worker's offline copy, as a test sees it from the page. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, type BrowserContext, type Page } from '@playwright/test';

/** The files the built service worker keeps offline (its PRECACHE list, the first line of sw.js). */
export async function precachedFiles(distDir = path.resolve('dist')): Promise<string[]> {
  const firstLine = (await readFile(path.join(distDir, 'sw.js'), 'utf8')).split('\n', 1)[0];
  const manifest = /^const PRECACHE = (.*);$/.exec(firstLine)?.[1];
  if (!manifest) throw new Error('dist/sw.js does not start with its PRECACHE list');
  return (JSON.parse(manifest) as { files: string[] }).files;
}

/** Waits until the service worker's caches hold every file of its list, relative to the page's folder. */
export async function waitForOfflineCopy(page: Page, files: readonly string[]): Promise<void> {
  const missing = () =>
    page.evaluate(async (wanted) => {
      const cached = await Promise.all(wanted.map(async (file) => (await caches.match(new URL(file, document.baseURI).href)) !== undefined));
      return wanted.filter((_, index) => !cached[index]);
    }, files);
  await expect.poll(missing, { message: 'files the offline copy lacks' }).toEqual([]);
}

declare global {
  interface Window {
    /** The page's messages to its service worker, held until released (as sends to make). */
    heldServiceWorkerMessages: (() => void)[];
  }
}

/**
 * Holds the page's request for the rest of the offline copy (its only message to the service worker)
 * until releaseOfflineCopyRequest, so that what the host sent before the first caption can be told apart.
 */
export async function holdOfflineCopyRequest(context: BrowserContext): Promise<void> {
  // No named functions inside: tsx (the bench) would wrap them in a helper the page does not have.
  await context.addInitScript(() => {
    const held: (() => void)[] = [];
    const post = ServiceWorker.prototype.postMessage;
    ServiceWorker.prototype.postMessage = function (this: ServiceWorker, ...args: Parameters<ServiceWorker['postMessage']>) {
      held.push(() => post.apply(this, args));
    } as ServiceWorker['postMessage'];
    window.heldServiceWorkerMessages = held;
  });
}

export const heldOfflineCopyRequests = (page: Page): Promise<number> => page.evaluate(() => window.heldServiceWorkerMessages.length);

export const releaseOfflineCopyRequest = (page: Page): Promise<void> =>
  page.evaluate(() => {
    for (const send of window.heldServiceWorkerMessages.splice(0)) send();
  });
