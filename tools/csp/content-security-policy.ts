/**
 * The app's Content-Security-Policy, for a static host: everything comes from the app's own origin.
 * The production build carries it as a <meta> tag; hosts that can set headers should send it too,
 * because a worker's policy comes from its own response, never from the page's <meta>.
 */
import type { Plugin } from 'vite';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // The worker compiles the tfjs WebAssembly binaries (WebGL fallback).
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  // Photo thumbnails are object URLs of the dropped files.
  "img-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

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
