/** Registers the service worker that keeps the app shell for offline use (production builds only: the dev server has no sw.js). */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  // After the page has loaded, so caching the shell never competes with the first paint.
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('./sw.js').catch((error: unknown) => {
      console.warn('The app will not work offline: its service worker could not be registered.', error);
    });
  });
}
