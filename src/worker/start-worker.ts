/**
 * Starts a captioner worker (captioner.worker.ts): the app's pool and the package's browser API
 * (src/lib/browser.ts) both start it here, so both run the same worker build with the same assets.
 */
export function startCaptionerWorker(name: string): Worker {
  return new Worker(new URL('./captioner.worker.ts', import.meta.url), { type: 'module', name });
}
