/**
 * The first visit on a slow link (`npm run bench -- --first-visit`): a new browser profile opens the
 * app on an emulated 10 Mbit/s link with 40 ms round trips (Chromium's network emulation, CDP
 * Network.emulateNetworkConditions), and drops one photo as soon as the model is ready. The host
 * compresses text with gzip as a CDN does; model weights, wasm and images go as they are. Reports each
 * file the host sent before that first caption, the time to it, and what the offline copy adds after.
 */
import path from 'node:path';
import { chromium, expect, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/browser';
import { dropFiles, PHOTOS } from '../e2e/helpers';
import { heldOfflineCopyRequests, holdOfflineCopyRequest, precachedFiles, releaseOfflineCopyRequest, waitForOfflineCopy } from '../e2e/offline-copy';
import type { ServedFile, StaticServer } from '../e2e/static-server';
import { recordWorkerEvents } from './app-events';

/** 10 Mbit/s each way, in bytes per second, and 40 ms round trips. */
export const SLOW_LINK = { latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 };

export interface FirstVisitReport {
  link: string;
  backend: string;
  crossOriginIsolated: boolean;
  /** Navigation → model ready and → the first photo's caption, wall clock (the reload into isolation included). */
  readyMs: number;
  firstCaptionMs: number;
  /** Each file the host sent before the first caption, in order, with its bytes over the wire (the same path twice means fetched twice). */
  beforeFirstCaption: { urlPath: string; wireBytes: number }[];
  beforeFirstCaptionBytes: number;
  /** Of them, the model package (weights, graph, vocabulary, card). */
  modelBytes: number;
  /** What the service worker fetched afterwards to complete the offline copy. */
  offlineCopyBytes: number;
  offlineCopyFiles: string[];
}

const total = (files: ServedFile[]) => files.reduce((sum, file) => sum + file.wireBytes, 0);

async function firstCaptionDone(page: Page): Promise<void> {
  await page.waitForFunction(() => window.benchEvents.some(({ event }) => event.type === 'job-done'), null, { timeout: 600_000, polling: 50 });
}

/** `server` must send text gzip-compressed (StaticServerOptions.gzipText); `appDistDir` is the build it serves, for its offline file list. */
export async function benchFirstVisit(appUrl: string, server: StaticServer, appDistDir: string, log: (message: string) => void): Promise<FirstVisitReport> {
  const browser = await chromium.launch(chromiumLaunchOptions([]));
  try {
    const context = await browser.newContext();
    await holdOfflineCopyRequest(context);
    const page = await context.newPage();
    await recordWorkerEvents(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_LINK });
    server.takeLog();
    const navigatedAt = performance.now();
    await page.goto(appUrl);
    await page.waitForFunction(() => performance.getEntriesByName('model-ready').length > 0, null, { timeout: 600_000, polling: 50 });
    const readyMs = performance.now() - navigatedAt;
    await dropFiles(page, [PHOTOS.cat()]);
    await firstCaptionDone(page);
    const firstCaptionMs = performance.now() - navigatedAt;
    const before = server.takeLog();
    const backend = (await page.getByTestId('backend').textContent()) ?? '?';
    const crossOriginIsolated = await page.evaluate(() => window.crossOriginIsolated);
    log(`first visit: ${(total(before) / 1e6).toFixed(2)} MB over the wire before the first caption, at ${Math.round(firstCaptionMs)} ms (${backend})`);

    // The page asks for the rest of the offline copy in an idle moment after its first caption.
    await expect.poll(() => heldOfflineCopyRequests(page)).toBeGreaterThan(0);
    await releaseOfflineCopyRequest(page);
    await waitForOfflineCopy(page, await precachedFiles(appDistDir));
    const offlineCopy = server.takeLog();
    await context.close();
    return {
      link: '10 Mbit/s, 40 ms round trips (CDP Network.emulateNetworkConditions)',
      backend,
      crossOriginIsolated,
      readyMs,
      firstCaptionMs,
      beforeFirstCaption: before.map(({ urlPath, wireBytes }) => ({ urlPath, wireBytes })),
      beforeFirstCaptionBytes: total(before),
      modelBytes: total(before.filter((file) => /\/models\/[^/]+\/[^/]+\//.test(file.urlPath))),
      offlineCopyBytes: total(offlineCopy),
      offlineCopyFiles: offlineCopy.map((file) => path.basename(file.urlPath)),
    };
  } finally {
    await browser.close();
  }
}
