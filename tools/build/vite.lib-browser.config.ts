/**
 * `npm run build:lib` (2 of 2): the package's browser side into lib/browser/ — one self-contained
 * ES module (show-and-tell.js, every dependency bundled) and, under assets/, the app's captioner
 * worker with its backend chunks and WebAssembly files, all found from the module's own URL.
 */
import { defineConfig, type Plugin } from 'vite';
import { leanTfjs } from './lean-tfjs.ts';

/**
 * Vite writes the worker's URL as `new URL(new URL(`assets/w.js`, import.meta.url).href, import.meta.url)`;
 * webpack and Vite (for dependencies) only bundle a worker written as `new Worker(new URL('./w.js',
 * import.meta.url))`, so the module is given that plain form, which means the same URL.
 */
function plainWorkerUrl(): Plugin {
  const nested = /new URL\(new URL\(`([^`]+)`,\s*import\.meta\.url\)\.href,\s*``\s*\+\s*import\.meta\.url\)/g;
  return {
    name: 'plain-worker-url',
    // After Vite's own renderChunk, which writes the final file name.
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk') chunk.code = chunk.code.replace(nested, (_match, file: string) => `new URL(${JSON.stringify(`./${file}`)}, import.meta.url)`);
      }
    },
  };
}

export default defineConfig({
  // Relative URLs (new URL(…, import.meta.url)): the folder works wherever it is served.
  base: './',
  publicDir: false,
  worker: { format: 'es', plugins: () => [leanTfjs()] },
  plugins: [plainWorkerUrl()],
  build: {
    outDir: 'lib/browser',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    // tfjs-core with the converter, and each tfjs backend, are large chunks by nature; only the worker loads them.
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      input: { 'show-and-tell': 'src/lib/browser.ts' },
      // A library entry: its exports are the API.
      preserveEntrySignatures: 'strict',
      output: { entryFileNames: '[name].js', chunkFileNames: 'assets/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' },
    },
  },
});
