import react from '@vitejs/plugin-react';
import { configDefaults, defineConfig } from 'vitest/config';
import { leanTfjs } from './tools/build/lean-tfjs.ts';
import { offlinePlugin } from './tools/build/offline-plugin.ts';
import { webAppManifest } from './tools/build/web-app-manifest.ts';
import { workerChunks } from './tools/build/worker-chunks.ts';
import { contentSecurityPolicy, CROSS_ORIGIN_ISOLATION_HEADERS, HOST_HEADERS } from './tools/csp/content-security-policy.ts';

export default defineConfig({
  // Relative asset URLs, so dist/ works when served from any sub-path.
  base: './',
  // offlinePlugin: content-hashed model folders and the service worker (sw.js) for offline use;
  // webAppManifest: icons and manifest (installable), precached by the service worker like other assets.
  plugins: [react(), contentSecurityPolicy(), webAppManifest(), offlinePlugin()],
  // workerChunks: which chunks the worker loads on each backend, for `npm run bench`.
  worker: { format: 'es', plugins: () => [leanTfjs(), workerChunks()] },
  // Served as a host that can set headers should (npm start); the dev server's inline React-refresh
  // script rules out the policy there, so it gets only cross-origin isolation.
  server: { headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS } },
  preview: { headers: { ...HOST_HEADERS } },
  build: {
    // tfjs-core with the converter, and each tfjs backend, are large chunks by nature; only the worker loads them.
    chunkSizeWarningLimit: 4096,
  },
  // e2e/ holds Playwright specs, which Vitest must not pick up.
  test: { exclude: [...configDefaults.exclude, 'e2e/**'] },
});
