/**
 * The headers the app wants with every file, for a static host: its Content-Security-Policy
 * (everything from the app's own origin) and the two cross-origin isolation headers that let the
 * worker run WebAssembly on several threads. The production build carries the policy as a <meta>
 * tag; hosts that can set headers should send all three (README, "Static hosting"), and the service
 * worker adds them to what it serves for hosts that cannot (src/offline/service-worker.ts).
 */
import type { Plugin } from 'vite';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // The worker compiles the tfjs WebAssembly binaries (WebGL fallback). blob: only for tfjs's
  // threaded WebAssembly build, which starts its threads as workers from blob: URLs that load its
  // glue code, again from a blob: URL (importScripts).
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  // Photo thumbnails are object URLs of the dropped files.
  "img-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/**
 * Cross-origin isolation: SharedArrayBuffer, and with it tfjs's threaded WebAssembly, only exist in
 * a page (and its workers) served with both. require-corp is safe here: every resource is same-origin.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Everything a host should send with every file of the app. */
export const HOST_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  ...CROSS_ORIGIN_ISOLATION_HEADERS,
};

/**
 * Adds the policy to the built index.html only: the dev server injects inline scripts (React
 * refresh) that the policy rightly forbids.
 */
export function contentSecurityPolicy(): Plugin {
  return {
    name: 'content-security-policy',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}
