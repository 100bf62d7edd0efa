/**
 * The photo-library stage of `npm run bench`: drops many photos on the app (real JPEGs, as a folder
 * would hand them over) and compares memory after the first few with memory after all of them.
 * Memory that stays flat means the app lets go of each photo once it is captioned and keeps only a
 * small thumbnail. Needs Chromium started with --enable-precise-memory-info and --js-flags=--expose-gc.
 */
import type { Browser } from '@playwright/test';
import type { DiagnosticsEvent } from '../src/worker/protocol';

export interface LibraryMemory {
  photos: number;
  /** Main thread's JS heap after a full garbage collection. */
  jsHeapBytes: number;
  domNodes: number;
  /** The thumbnails kept in IndexedDB (and shown on the cards), all together. */
  thumbnailBytes: number;
  /** The worker's tf.memory(). */
  tensors: number;
  tensorBytes: number;
}

export interface LibraryReport {
  backend: string;
  first: LibraryMemory;
  all: LibraryMemory;
  /** JS heap growth per photo between the two, in bytes. */
  heapBytesPerPhoto: number;
  photosPerSecond: number;
}

declare global {
  interface Window {
    libraryBench: { worker: Worker | null; done: number; diagnostics: DiagnosticsEvent | null };
    gc?: () => void;
  }
}

export async function benchPhotoLibrary(browser: Browser, appUrl: string, photoUrls: string[], counts: { first: number; all: number }): Promise<LibraryReport> {
  const page = await browser.newPage();
  try {
    await page.addInitScript(() => {
      window.libraryBench = { worker: null, done: 0, diagnostics: null };
      const NativeWorker = window.Worker;
      window.Worker = class extends NativeWorker {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          // The first worker answers diagnostics; the pool's helpers come and go with batches.
          if (options?.name === 'captioner') window.libraryBench.worker = this;
          this.addEventListener('message', (event: MessageEvent<{ type: string }>) => {
            if (event.data.type === 'job-done' || event.data.type === 'job-failed') window.libraryBench.done++;
            if (event.data.type === 'diagnostics') window.libraryBench.diagnostics = event.data as DiagnosticsEvent;
          });
        }
      };
    });
    await page.goto(appUrl);
    await page.waitForFunction(() => document.querySelector('[data-testid=model-status]')?.getAttribute('data-phase') === 'ready', null, { timeout: 300_000 });
    const backend = (await page.getByTestId('backend').textContent()) ?? '?';

    /** Drops photos photo-FROM … photo-TO-1.jpg, made from the bench photos in turn, and waits until all are finished. */
    const dropAndWait = async (from: number, to: number) => {
      await page.evaluate(
        async ({ photoUrls, from, to }) => {
          const sources = await Promise.all(photoUrls.map(async (url) => (await fetch(url)).blob()));
          const transfer = new DataTransfer();
          for (let index = from; index < to; index++) {
            transfer.items.add(new File([sources[index % sources.length]], `photo-${index}.jpg`, { type: 'image/jpeg' }));
          }
          document.querySelector('[data-testid=drop-zone]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        },
        { photoUrls, from, to },
      );
      await page.waitForFunction((count) => window.libraryBench.done >= count, to, { timeout: 3_600_000, polling: 1000 });
    };

    const measure = async (photos: number): Promise<LibraryMemory> => {
      const inPage = await page.evaluate(async () => {
        // Twice, as one collection can leave what the first one freed for the next.
        window.gc?.();
        await new Promise((resolve) => setTimeout(resolve, 100));
        window.gc?.();
        // Before reading IndexedDB below, whose records (each photo's result) would be counted as the page's own.
        const jsHeapBytes = (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
        // The thumbnails as kept in IndexedDB (the policy forbids fetching the cards' blob: URLs).
        const saved = await new Promise<{ thumbnail: Blob | null }[]>((resolve, reject) => {
          const opening = indexedDB.open('show-and-tell');
          opening.onerror = () => reject(opening.error);
          opening.onsuccess = () => {
            const reading = opening.result.transaction('results').objectStore('results').getAll();
            reading.onerror = () => reject(reading.error);
            reading.onsuccess = () => {
              opening.result.close();
              resolve(reading.result);
            };
          };
        });
        return {
          jsHeapBytes,
          domNodes: document.getElementsByTagName('*').length,
          thumbnailBytes: saved.reduce((sum, result) => sum + (result.thumbnail?.size ?? 0), 0),
        };
      });
      await page.evaluate(() => {
        window.libraryBench.diagnostics = null;
        window.libraryBench.worker!.postMessage({ type: 'diagnostics' });
      });
      // (No named functions inside page code: tsx would wrap them in a helper the page lacks.)
      await page.waitForFunction(() => window.libraryBench.diagnostics !== null);
      const { memory } = (await page.evaluate(() => window.libraryBench.diagnostics))!;
      return { photos, ...inPage, tensors: memory.numTensors, tensorBytes: memory.numBytes };
    };

    await dropAndWait(0, counts.first);
    const first = await measure(counts.first);
    const startedAt = Date.now();
    await dropAndWait(counts.first, counts.all);
    const photosPerSecond = ((counts.all - counts.first) * 1000) / (Date.now() - startedAt);
    const all = await measure(counts.all);
    return { backend, first, all, heapBytesPerPhoto: (all.jsHeapBytes - first.jsHeapBytes) / (counts.all - counts.first), photosPerSecond };
  } finally {
    await page.close();
  }
}
