/**
 * Registers the service worker (production builds only: the dev server has no sw.js), which keeps
 * the app shell for offline use and adds the cross-origin isolation headers a plain static host
 * does not send. Without those headers WebAssembly runs on one thread; so a page that is not
 * isolated but can be waits for the service worker to take over and reloads once, through it,
 * before the captioner starts (no model download is wasted on the page that goes away).
 */

import type { OfflineCopyRequest } from './service-worker';

/** Set for the tab's session once the page reloaded for isolation, so a browser that still does not isolate is not reloaded again. */
const RELOADED_FOR_ISOLATION = 'show-and-tell-reloaded-for-isolation';

/** A service worker that takes longer than this to install (a slow first download of the shell) is not waited for. */
const TAKE_OVER_TIMEOUT_MS = 15_000;

function register(): Promise<ServiceWorkerRegistration | null> {
  return navigator.serviceWorker.register('./sw.js').catch((error: unknown) => {
    console.warn('The app will not work offline: its service worker could not be registered.', error);
    return null;
  });
}

/** Resolves on the service worker's next take-over of this page, or false after `timeoutMs`. */
function nextTakeOver(timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    navigator.serviceWorker.addEventListener(
      'controllerchange',
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}

/**
 * Registers the service worker. Resolves when the captioner may start; never resolves when the page
 * is about to reload into cross-origin isolation. The page takes photos while it waits: before the
 * reload, `mayReload` makes sure they are kept (and says false when they cannot be, so the page stays).
 */
export async function registerServiceWorker(mayReload: () => Promise<boolean>): Promise<void> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const canIsolate = !window.crossOriginIsolated && window.isSecureContext && !sessionStorage.getItem(RELOADED_FOR_ISOLATION);
  if (!canIsolate) {
    // After the page has loaded, so caching the shell never competes with the first paint.
    window.addEventListener('load', () => void register());
    return;
  }
  const takeOver = nextTakeOver(TAKE_OVER_TIMEOUT_MS);
  const registration = await register();
  if (!registration) return;
  // A page loaded past an active service worker (a forced reload) gets it back on a plain reload.
  const bypassed = registration.active !== null && navigator.serviceWorker.controller === null;
  // A new (or updated) service worker takes over once installed; the current one, when there is no
  // update, already adds the headers, so this browser does not isolate.
  const installing = registration.installing !== null || registration.waiting !== null;
  if (!bypassed && !(installing && (await takeOver))) return;
  if (!(await mayReload())) return;
  sessionStorage.setItem(RELOADED_FOR_ISOLATION, 'yes');
  location.reload();
  await new Promise<never>(() => {});
}

/**
 * Asks the service worker to download the rest of the offline copy (other backends, their wasm
 * builds, chunks this visit did not load). Call it once the first caption is done: until then the
 * service worker fetches only what the page itself asks for. Waits for an idle moment of the page.
 */
export function fillOfflineCopy(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const request: OfflineCopyRequest = { type: 'fill-offline-copy' };
  const whenIdle = window.requestIdleCallback ?? ((callback: () => void) => setTimeout(callback, 0));
  whenIdle(() => void navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage(request)));
}
