/**
 * A Vite worker plugin that records each worker's chunks (bytes and imports) in
 * dist/.vite/workers/<worker>.json. A worker loads its backend as a chunk of its own
 * (src/worker/backend.ts), so its size on disk says little: `npm run bench` reads this record to
 * tell what JavaScript a worker loads on each backend. Under .vite/, like Vite's own manifest, the
 * service worker does not precache it (offline-plugin.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plugin } from 'vite';

export interface WorkerChunk {
  fileName: string;
  /** [name] of the file name: the entry's or dynamically imported module's file name, or a shared chunk's. */
  name: string;
  isEntry: boolean;
  bytes: number;
  /** Static imports: loading this chunk loads them too. */
  imports: string[];
  dynamicImports: string[];
}

const recordFile = (worker: string) => `.vite/workers/${worker}.json`;

export function workerChunks(): Plugin {
  return {
    name: 'worker-chunks',
    apply: 'build',
    // After any plugin that still rewrites chunks: the bytes are those written to disk.
    enforce: 'post',
    generateBundle(_, bundle) {
      const chunks: WorkerChunk[] = [];
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        const { fileName, name, isEntry, code, imports, dynamicImports } = output;
        chunks.push({ fileName, name, isEntry, bytes: Buffer.byteLength(code), imports, dynamicImports });
      }
      const entry = chunks.find((chunk) => chunk.isEntry);
      if (!entry) throw new Error('worker-chunks: the worker bundle has no entry chunk');
      this.emitFile({ type: 'asset', fileName: recordFile(entry.name), source: `${JSON.stringify(chunks, null, 2)}\n` });
    },
  };
}

export async function readWorkerChunks(outDir: string, worker: string): Promise<WorkerChunk[]> {
  return JSON.parse(await readFile(path.join(outDir, recordFile(worker)), 'utf8')) as WorkerChunk[];
}

/**
 * The chunks a worker has loaded once it imported the chunk named `dynamicChunk`: its entry, that
 * chunk, and everything either imports statically.
 */
export function chunksLoadedWith(chunks: readonly WorkerChunk[], dynamicChunk: string): WorkerChunk[] {
  const find = (test: (chunk: WorkerChunk) => boolean, what: string): WorkerChunk => {
    const found = chunks.find(test);
    if (!found) throw new Error(`worker-chunks: the worker has no ${what}`);
    return found;
  };
  const entry = find((chunk) => chunk.isEntry, 'entry chunk');
  const loaded = new Set([entry, find((chunk) => chunk.name === dynamicChunk && !chunk.isEntry, `chunk named ${dynamicChunk}`)]);
  // A Set's iteration includes what is added meanwhile, so this follows imports of imports too.
  for (const chunk of loaded) for (const file of chunk.imports) loaded.add(find((imported) => imported.fileName === file, `chunk ${file}`));
  return [...loaded];
}
