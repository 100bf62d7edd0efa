/// <reference lib="webworker" />
/**
 * The service worker: keeps the app shell (HTML, scripts, styles, wasm, models.json) so the app
 * starts without a network after the first visit. tools/build/offline-plugin.ts compiles it into
 * dist/sw.js with PRECACHE, the build's file list. Model files are not handled here: the worker's
 * model store (src/worker/model-cache.ts) keeps them and tells the UI where the model came from.
 */
declare const self: ServiceWorkerGlobalScope;

/** Injected by the build: files relative to the app's folder, and a hash of their contents. */
declare const PRECACHE: { version: string; files: string[] };

const SHELL_CACHE_PREFIX = 'show-and-tell-shell-';
const SHELL_CACHE = `${SHELL_CACHE_PREFIX}${PRECACHE.version}`;

const inScope = (file: string): string => new URL(file, self.registration.scope).href;
const APP_PAGES = new Set([inScope('./'), inScope('index.html')]);
const INDEX_HTML = inScope('index.html');
/** Fixed URLs whose content changes with each deploy: the network is asked first. */
const NETWORK_FIRST = new Set([INDEX_HTML, inScope('models/models.json')]);
/** Content-hashed build output: a cached copy is always right. */
const HASHED_ASSETS = inScope('assets/');

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
  const dropOldShells = async () => {
    for (const name of await caches.keys()) if (name.startsWith(SHELL_CACHE_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
  };
  event.waitUntil(dropOldShells());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const withoutQuery = `${url.origin}${url.pathname}`;
  if (request.mode === 'navigate') {
    if (APP_PAGES.has(withoutQuery)) event.respondWith(networkFirst(request, INDEX_HTML));
  } else if (NETWORK_FIRST.has(withoutQuery)) {
    event.respondWith(networkFirst(request, withoutQuery));
  } else if (withoutQuery.startsWith(HASHED_ASSETS)) {
    event.respondWith(cacheFirst(request, withoutQuery));
  }
});

export {};
