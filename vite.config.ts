import react from '@vitejs/plugin-react';
import { configDefaults, defineConfig } from 'vitest/config';
import { offlinePlugin } from './tools/build/offline-plugin';
import { webAppManifest } from './tools/build/web-app-manifest';
import { contentSecurityPolicy } from './tools/csp/content-security-policy';

export default defineConfig({
  // Relative asset URLs, so dist/ works when served from any sub-path.
  base: './',
  // offlinePlugin: content-hashed model folders and the service worker (sw.js) for offline use;
  // webAppManifest: icons and manifest (installable), precached by the service worker like other assets.
  plugins: [react(), contentSecurityPolicy(), webAppManifest(), offlinePlugin()],
  worker: { format: 'es' },
  build: {
    // tfjs with its backends is one large chunk by nature; only the worker loads it.
    chunkSizeWarningLimit: 4096,
  },
  // e2e/ holds Playwright specs, which Vitest must not pick up.
  test: { exclude: [...configDefaults.exclude, 'e2e/**'] },
});
