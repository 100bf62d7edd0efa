import { describe, expect, it } from 'vitest';
import { chunksLoadedWith, type WorkerChunk } from '../../tools/build/worker-chunks';

function chunk(name: string, imports: string[] = [], isEntry = false): WorkerChunk {
  return { fileName: `assets/${name}-x.js`, name, isEntry, bytes: 1, imports: imports.map((imported) => `assets/${imported}-x.js`), dynamicImports: [] };
}

describe('chunksLoadedWith', () => {
  const chunks = [
    chunk('worker', [], true),
    chunk('shared-helpers', ['worker', 'core-utils']),
    chunk('core-utils', ['worker']),
    chunk('webgl-backend', ['worker', 'shared-helpers']),
    chunk('wasm-backend', ['worker', 'core-utils']),
    chunk('unused', ['worker']),
  ];
  const names = (loaded: WorkerChunk[]) => loaded.map((loadedChunk) => loadedChunk.name).sort();

  it('is the entry, the chunk and what they import, imports of imports included', () => {
    expect(names(chunksLoadedWith(chunks, 'webgl-backend'))).toEqual(['core-utils', 'shared-helpers', 'webgl-backend', 'worker']);
    expect(names(chunksLoadedWith(chunks, 'wasm-backend'))).toEqual(['core-utils', 'wasm-backend', 'worker']);
  });

  it('fails on a chunk the worker does not have', () => {
    expect(() => chunksLoadedWith(chunks, 'cpu-backend')).toThrow('no chunk named cpu-backend');
  });
});
