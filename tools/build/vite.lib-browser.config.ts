/**
 * `npm run build:lib` (2 of 2): the package's browser side into lib/browser/ — one self-contained
 * ES module (show-and-tell.js, every dependency bundled) and, under assets/, the app's captioner
 * worker with its backend chunks and WebAssembly files, all found from the module's own URL.
 */
import { defineConfig, type Plugin } from 'vite';
import { leanTfjs } from './lean-tfjs.ts';

/**
 * Vite writes the worker's start as `new Worker(new URL(new URL(`assets/w.js`, import.meta.url).href,
 * import.meta.url), { type: `module` })`. Bundlers that take in a package's workers (webpack, and Vite
 * itself, which also wants `type` as a plain string) only know `new Worker(new URL('./w.js',
 * import.meta.url), { type: 'module' })`, so the module is given that form, which means the same.
 */
function plainWorkerStart(): Plugin {
  const written = /new Worker\(new URL\(new URL\(`([^`]+)`,\s*import\.meta\.url\)\.href,\s*``\s*\+\s*import\.meta\.url\),\s*\{\s*type:\s*`module`/g;
  return {
    name: 'plain-worker-start',
    // After Vite's own renderChunk, which writes the final file name.
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk') chunk.code = chunk.code.replace(written, (_match, file: string) => `new Worker(new URL(${JSON.stringify(`./${file}`)}, import.meta.url), { type: "module"`);
      }
    },
  };
}

export default defineConfig({
  // Relative URLs (new URL(…, import.meta.url)): the folder works wherever it is served.
  base: './',
  publicDir: false,
  /**
   * Emscripten's glue (tfjs's wasm backend, libheif) reads `__filename`/`__dirname` behind a typeof
   * test for Node. webpack takes `typeof __filename` for "string" in a browser build but leaves the
   * name itself, which then throws (the wasm backend failed to start and the worker fell back to
   * WebGL). Undefined here, those branches go before any bundler sees them.
   */
  define: { __filename: 'undefined', __dirname: 'undefined' },
  worker: { format: 'es', plugins: () => [leanTfjs()] },
  plugins: [plainWorkerStart()],
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
