/**
 * Probes for the reliability tests, installed before the app's own scripts run: the captioner
 * workers the page started (to ask them for diagnostics or inject faults), object URLs and
 * ImageBitmaps made on the main thread (to find leaks), and Content-Security-Policy violations.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { DiagnosticsEvent } from '../src/worker/protocol';

interface Probes {
  workers: Worker[];
  objectUrlsCreated: number;
  objectUrlsRevoked: number;
  bitmaps: ImageBitmap[];
  cspViolations: string[];
}

declare global {
  interface Window {
    probes: Probes;
  }
}

export async function installProbes(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const probes: Probes = { workers: [], objectUrlsCreated: 0, objectUrlsRevoked: 0, bitmaps: [], cspViolations: [] };
    window.probes = probes;
    const NativeWorker = window.Worker;
    window.Worker = class extends NativeWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        // The HEIC worker (named "heic") only decodes photos: it is not a captioner.
        if (options?.name !== 'heic') probes.workers.push(this);
      }
    };
    const { createObjectURL, revokeObjectURL } = URL;
    URL.createObjectURL = (object) => {
      probes.objectUrlsCreated++;
      return createObjectURL(object);
    };
    URL.revokeObjectURL = (url) => {
      probes.objectUrlsRevoked++;
      revokeObjectURL(url);
    };
    const nativeCreateImageBitmap = window.createImageBitmap.bind(window) as (...args: unknown[]) => Promise<ImageBitmap>;
    window.createImageBitmap = (async (...args: unknown[]) => {
      const bitmap = await nativeCreateImageBitmap(...args);
      probes.bitmaps.push(bitmap);
      return bitmap;
    }) as typeof window.createImageBitmap;
    document.addEventListener('securitypolicyviolation', (event) => {
      probes.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}`);
    });
  });
}

/** tfjs memory and the last image the model saw, once the worker has run everything queued before. */
export function workerDiagnostics(page: Page): Promise<DiagnosticsEvent> {
  return page.evaluate(
    () =>
      new Promise<DiagnosticsEvent>((resolve) => {
        const worker = window.probes.workers.at(-1)!;
        const onMessage = (event: MessageEvent<{ type: string }>) => {
          if (event.data.type !== 'diagnostics') return;
          worker.removeEventListener('message', onMessage);
          resolve(event.data as DiagnosticsEvent);
        };
        worker.addEventListener('message', onMessage);
        worker.postMessage({ type: 'diagnostics' });
      }),
  );
}

/** Main-thread leaks: object URLs not revoked, and ImageBitmaps neither closed nor transferred (both read 0 × 0). */
export function mainThreadLeaks(page: Page): Promise<{ liveObjectUrls: number; openBitmaps: number; bitmapsMade: number }> {
  return page.evaluate(() => ({
    liveObjectUrls: window.probes.objectUrlsCreated - window.probes.objectUrlsRevoked,
    openBitmaps: window.probes.bitmaps.filter((bitmap) => bitmap.width > 0).length,
    bitmapsMade: window.probes.bitmaps.length,
  }));
}

export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => window.probes.cspViolations);
}

/** Records the URL of every request of the browser context: pages, their workers and service workers. */
export function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  return urls;
}

/** Local data (blob:, data:) never leaves the device; anything else must go to the app's own origin. */
export function requestsElsewhere(urls: string[], appOrigin: string): string[] {
  return urls.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== appOrigin);
}

/** Fails the test on any uncaught page error or dialog (alert from a hostile file, for instance). */
export function failOnPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return problems;
}
