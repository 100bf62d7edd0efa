/// <reference lib="webworker" />
/**
 * The service worker: keeps the app shell (HTML, scripts, styles, wasm, models.json) so the app
 * starts without a network after the first visit, and adds the app's host headers (cross-origin
 * isolation, Content-Security-Policy) to the pages and scripts it serves, so that on a static host
 * that cannot send them the worker still runs WebAssembly on several threads (the page reloads once
 * on the first visit to get them: src/offline/register-service-worker.ts). tools/build/offline-plugin.ts
 * compiles it into dist/sw.js with PRECACHE, the build's file list, and HOST_HEADERS. Model files
 * are not handled here: the worker's model store (src/worker/model-cache.ts) keeps them and tells
 * the UI where the model came from.
 */
declare const self: ServiceWorkerGlobalScope;

/** Injected by the build: files relative to the app's folder, and a hash of their contents. */
declare const PRECACHE: { version: string; files: string[] };
/** Injected by the build: tools/csp/content-security-policy.ts HOST_HEADERS. */
declare const HOST_HEADERS: Record<string, string>;

/** The page's one message: its first caption is done, so the rest of the offline copy may download now. */
export interface OfflineCopyRequest {
  type: 'fill-offline-copy';
}

const SHELL_CACHE_PREFIX = 'show-and-tell-shell-';
const SHELL_CACHE = `${SHELL_CACHE_PREFIX}${PRECACHE.version}`;

const inScope = (file: string): string => new URL(file, self.registration.scope).href;
const APP_PAGES = new Set([inScope('./'), inScope('index.html')]);
const INDEX_HTML = inScope('index.html');
/** Fixed URLs whose content changes with each deploy: the network is asked first. */
const NETWORK_FIRST = new Set([INDEX_HTML, inScope('models/models.json')]);
/** Content-hashed build output: a cached copy is always right. */
const HASHED_ASSETS = inScope('assets/');

/** The response with the host headers the host did not send itself. */
function withHostHeaders(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(HOST_HEADERS)) if (!headers.has(name)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function networkFirst(request: Request, cacheKey: string): Promise<Response> {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(cacheKey, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(cacheKey);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request: Request, cacheKey: string): Promise<Response> {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(cacheKey);
  if (cached) return cached;
  // Assets left out of the precache (e.g. the wasm build for browsers without SIMD) are kept once used.
  const response = await fetch(request);
  if (response.ok) await cache.put(cacheKey, response.clone());
  return response;
}

/**
 * Installing fetches nothing: it keeps what the page already downloaded (the HTTP cache's copies),
 * so no file comes twice around the isolation reload, and no backend this browser will not run
 * comes before the first caption. The files used next (the worker, its backend) are kept as they
 * are fetched (cacheFirst), and the page asks for the rest after its first caption (fillOfflineCopy).
 */
self.addEventListener('install', (event) => {
  const keepDownloaded = async () => {
    const cache = await caches.open(SHELL_CACHE);
    await Promise.all(
      PRECACHE.files.map(async (file) => {
        // 'only-if-cached' answers from the HTTP cache or fails, without asking the host.
        const response = await fetch(inScope(file), { cache: 'only-if-cached', mode: 'same-origin' }).catch(() => null);
        if (response?.ok) await cache.put(inScope(file), response);
      }),
    );
    await self.skipWaiting();
  };
  event.waitUntil(keepDownloaded());
});

/** Completes the offline copy one file at a time, so it never crowds the page's own downloads. */
async function fillOfflineCopy(): Promise<void> {
  const cache = await caches.open(SHELL_CACHE);
  for (const file of PRECACHE.files) {
    const url = inScope(file);
    if (await cache.match(url)) continue;
    // Fixed URLs are revalidated with the host; content-hashed ones may come from the HTTP cache.
    const response = await fetch(url, { cache: NETWORK_FIRST.has(url) ? 'no-cache' : 'default' }).catch(() => null);
    if (response?.ok) await cache.put(url, response);
  }
}

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as OfflineCopyRequest | null)?.type === 'fill-offline-copy') event.waitUntil(fillOfflineCopy());
});

self.addEventListener('activate', (event) => {
  const activate = async () => {
    for (const name of await caches.keys()) if (name.startsWith(SHELL_CACHE_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
    // Controls the page that registered it right away: that page then reloads through it.
    await self.clients.claim();
  };
  event.waitUntil(activate());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const withoutQuery = `${url.origin}${url.pathname}`;
  if (request.mode === 'navigate') {
    if (APP_PAGES.has(withoutQuery)) event.respondWith(networkFirst(request, INDEX_HTML).then(withHostHeaders));
  } else if (NETWORK_FIRST.has(withoutQuery)) {
    event.respondWith(networkFirst(request, withoutQuery));
  } else if (withoutQuery.startsWith(HASHED_ASSETS)) {
    // The worker's script among them: a worker runs under the headers of its own response.
    event.respondWith(cacheFirst(request, withoutQuery).then(withHostHeaders));
  }
});

export {};
