/**
 * The camera soak stage of `npm run bench -- --soak [--soak-minutes=N]` (10 minutes unless told):
 * the live camera runs on Chromium's fake camera, and at the end of every interval (a minute, or a
 * tenth of a shorter run) the stage reads the caption rate over it, the page's JS heap after a full
 * garbage collection, and the worker's tensors. A camera that holds for an hour keeps the three
 * flat: the last interval against the first. Needs Chromium started with
 * --use-fake-device-for-media-stream, --enable-precise-memory-info and --js-flags=--expose-gc.
 */
import type { Browser } from '@playwright/test';
import type { DiagnosticsEvent } from '../src/worker/protocol';
import { startCamera } from './camera';

export interface SoakSample {
  /** Seconds since the camera went live, at the end of the interval. */
  atSeconds: number;
  captionsPerSecond: number;
  jsHeapBytes: number;
  tensors: number;
  tensorBytes: number;
}

export interface SoakReport {
  backend: string;
  minutes: number;
  samples: SoakSample[];
  /** Last interval against the first, as a fraction (0.03 = 3 % more). */
  change: { captionsPerSecond: number; jsHeapBytes: number; tensors: number };
}

declare global {
  interface Window {
    soakBench: { worker: Worker | null; frames: number; diagnostics: DiagnosticsEvent | null };
    gc?: () => void;
  }
}

export async function benchCameraSoak(browser: Browser, appUrl: string, minutes: number, log: (message: string) => void): Promise<SoakReport> {
  const context = await browser.newContext({ permissions: ['camera'] });
  const page = await context.newPage();
  try {
    await page.addInitScript(() => {
      window.soakBench = { worker: null, frames: 0, diagnostics: null };
      const NativeWorker = window.Worker;
      window.Worker = class extends NativeWorker {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          window.soakBench.worker = this;
          this.addEventListener('message', (event: MessageEvent<{ type: string; jobId?: string }>) => {
            if (event.data.type === 'job-done' && event.data.jobId?.startsWith('frame-')) window.soakBench.frames++;
            if (event.data.type === 'diagnostics') window.soakBench.diagnostics = event.data as DiagnosticsEvent;
          });
        }
      };
    });
    await page.goto(appUrl);
    await page.waitForFunction(() => document.querySelector('[data-testid=model-status]')?.getAttribute('data-phase') === 'ready', null, { timeout: 300_000 });
    const backend = (await page.getByTestId('backend').textContent()) ?? '?';
    const notLive = await startCamera(page);
    if (notLive) throw new Error(`camera soak: ${notLive}`);

    const intervalMs = Math.min(60_000, (minutes * 60_000) / 10);
    const intervals = Math.round((minutes * 60_000) / intervalMs);
    const liveAt = Date.now();
    let framesBefore = await page.evaluate(() => window.soakBench.frames);
    let intervalStart = Date.now();
    const samples: SoakSample[] = [];
    for (let interval = 0; interval < intervals; interval++) {
      await page.waitForTimeout(intervalStart + intervalMs - Date.now());
      const frames = await page.evaluate(() => window.soakBench.frames);
      const seconds = (Date.now() - intervalStart) / 1000;
      // Measured between intervals, so the collection's pause does not count against the rate.
      const jsHeapBytes = await page.evaluate(async () => {
        window.gc?.();
        await new Promise((resolve) => setTimeout(resolve, 100));
        window.gc?.();
        return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
      });
      await page.evaluate(() => {
        window.soakBench.diagnostics = null;
        window.soakBench.worker!.postMessage({ type: 'diagnostics' });
      });
      await page.waitForFunction(() => window.soakBench.diagnostics !== null);
      const { memory } = (await page.evaluate(() => window.soakBench.diagnostics))!;
      const sample = { atSeconds: Math.round((Date.now() - liveAt) / 1000), captionsPerSecond: (frames - framesBefore) / seconds, jsHeapBytes, tensors: memory.numTensors, tensorBytes: memory.numBytes };
      samples.push(sample);
      log(`camera soak ${sample.atSeconds} s: ${sample.captionsPerSecond.toFixed(2)} captions/s, JS heap ${(jsHeapBytes / 1e6).toFixed(2)} MB, ${sample.tensors} tensors`);
      framesBefore = await page.evaluate(() => window.soakBench.frames);
      intervalStart = Date.now();
    }
    await page.getByTestId('camera').getByRole('button', { name: 'Stop camera' }).click();
    const [first, last] = [samples[0], samples[samples.length - 1]];
    const change = (from: number, to: number) => (from === 0 ? (to === 0 ? 0 : Infinity) : (to - from) / from);
    return {
      backend,
      minutes,
      samples,
      change: {
        captionsPerSecond: change(first.captionsPerSecond, last.captionsPerSecond),
        jsHeapBytes: change(first.jsHeapBytes, last.jsHeapBytes),
        tensors: change(first.tensors, last.tensors),
      },
    };
  } finally {
    await context.close();
  }
}
