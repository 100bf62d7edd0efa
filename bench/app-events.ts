/** The app's captioner workers' messages, recorded in the page for `npm run bench`. */
import type { Page } from '@playwright/test';
import type { WorkerEvent } from '../src/worker/protocol';

declare global {
  interface Window {
    /** worker: the Worker's name ('captioner' for the first, 'captioner-helper' for the pool's others). */
    benchEvents: { at: number; worker: string; event: WorkerEvent }[];
    /** When each drop reached the page. */
    benchDrops: number[];
    benchWorkers: Worker[];
    /** Durations of the page's `read-photo` measures, which it clears as it makes them. */
    benchReadPhotoMs: number[];
  }
}

/** Records the captioner workers' messages with their arrival time. */
export async function recordWorkerEvents(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.benchEvents = [];
    window.benchDrops = [];
    window.benchWorkers = [];
    window.benchReadPhotoMs = [];
    new PerformanceObserver((list) => window.benchReadPhotoMs.push(...list.getEntriesByName('read-photo').map((entry) => entry.duration))).observe({ type: 'measure' });
    // The moment a drop reaches the page, whatever it took the test driver to build its files.
    document.addEventListener('drop', () => window.benchDrops.push(performance.now()), { capture: true });
    const NativeWorker = window.Worker;
    window.Worker = class extends NativeWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        window.benchWorkers.push(this);
        this.addEventListener('message', (event: MessageEvent<WorkerEvent>) => window.benchEvents.push({ at: performance.now(), worker: options?.name ?? '', event: event.data }));
      }
    };
  });
}
