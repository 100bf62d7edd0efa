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

self.addEventListener('install', (event) => {
  const precache = async () => {
    const cache = await caches.open(SHELL_CACHE);
    // 'no-cache' revalidates with the host, so an index.html from the HTTP cache is never stale.
    await cache.addAll(PRECACHE.files.map((file) => new Request(inScope(file), { cache: 'no-cache' })));
    await self.skipWaiting();
  };
  event.waitUntil(precache());
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
