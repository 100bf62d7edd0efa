/**
 * Vite build plugin for static hosting and offline use. After the build it
 *  1. moves model packages into content-hashed folders (model-versions.ts), and
 *  2. writes dist/sw.js: src/offline/service-worker.ts with the list of files to precache.
 * Everything but index.html, sw.js and models/models.json then has a content-hashed URL.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import type { Plugin } from 'vite';
import { HOST_HEADERS } from '../csp/content-security-policy.ts';
import { versionModelPackages } from './model-versions.ts';

const SERVICE_WORKER_SOURCE = path.resolve(import.meta.dirname, '../../src/offline/service-worker.ts');
export const SERVICE_WORKER_FILE = 'sw.js';

/**
 * What the service worker keeps: the shell and the model list (its install keeps what the page
 * already downloaded; the rest comes after the first caption: src/offline/service-worker.ts). Model
 * packages are kept by the worker's model store. Of the wasm builds only the threaded SIMD one: a browser that runs this
 * service worker gets cross-origin isolation from it, and then runs that build. The others (no
 * isolation, no SIMD) are cached by the service worker the first time such a browser fetches them.
 */
export function isPrecached(file: string): boolean {
  if (file === SERVICE_WORKER_FILE || file.startsWith('.')) return false;
  // Like those wasm builds, the WebGPU backend (a GPU-only chunk) is kept once a browser uses it. The
  // other backend chunks are kept (after the first caption): offline, the worker may start (or fall back to) any of them.
  if (/^assets\/webgpu-backend-[^/]*\.js$/.test(file)) return false;
  // So is the HEIC decoder (its worker, libheif's glue and WebAssembly): only a HEIC photo loads it.
  if (/^assets\/(heic\.worker|libheif)-[^/]*\.js$/.test(file)) return false;
  if (file.startsWith('models/')) return file === 'models/models.json';
  return !file.endsWith('.wasm') || /tfjs-backend-wasm-threaded-simd-[^/]*\.wasm$/.test(file);
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** The precache list and a hash of it: a new build changes sw.js, which makes browsers update it. */
async function precacheManifest(outDir: string): Promise<{ version: string; files: string[] }> {
  const files = (await filesUnder(outDir)).filter(isPrecached);
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(await readFile(path.join(outDir, file)));
  return { version: hash.digest('hex').slice(0, 12), files };
}

async function compileServiceWorker(): Promise<string> {
  const { outputText } = ts.transpileModule(await readFile(SERVICE_WORKER_SOURCE, 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  // The source is a module only so that TypeScript scopes its declarations; sw.js is a classic script.
  return outputText.replace(/^export \{\};\s*$/m, '');
}

export async function writeServiceWorker(outDir: string): Promise<void> {
  const manifest = await precacheManifest(outDir);
  const source = `const PRECACHE = ${JSON.stringify(manifest)};\nconst HOST_HEADERS = ${JSON.stringify(HOST_HEADERS)};\n${await compileServiceWorker()}`;
  await writeFile(path.join(outDir, SERVICE_WORKER_FILE), source);
}

export function offlinePlugin(): Plugin {
  let outDir = '';
  // closeBundle runs after a failed build too, when there is no output to version: it would bury the build's own error.
  let failed = false;
  return {
    name: 'show-and-tell-offline',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    buildEnd(error) {
      failed = error !== undefined;
    },
    async closeBundle() {
      if (failed) return;
      await versionModelPackages(path.join(outDir, 'models'));
      await writeServiceWorker(outDir);
    },
  };
}
