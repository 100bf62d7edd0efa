import { describe, expect, it } from 'vitest';
import { MAX_AUTOMATIC_THREADS, parseThreadsParameter, planWasmThreads } from '../../src/worker/wasm-threads';

describe('WebAssembly threads', () => {
  it('run single-threaded without cross-origin isolation, whatever was asked', () => {
    expect(planWasmThreads({ pinned: 4, crossOriginIsolated: false, logicalCores: 8 }).threads).toBe(1);
    expect(planWasmThreads({ pinned: null, crossOriginIsolated: false, logicalCores: 8 }).reason).toMatch(/not cross-origin isolated/);
  });

  it('use half the logical cores, from 1 up to the cap, when isolated', () => {
    expect(planWasmThreads({ pinned: null, crossOriginIsolated: true, logicalCores: 2 }).threads).toBe(1);
    expect(planWasmThreads({ pinned: null, crossOriginIsolated: true, logicalCores: 6 }).threads).toBe(3);
    expect(planWasmThreads({ pinned: null, crossOriginIsolated: true, logicalCores: 16 }).threads).toBe(MAX_AUTOMATIC_THREADS);
    expect(planWasmThreads({ pinned: null, crossOriginIsolated: true, logicalCores: 1 }).threads).toBe(1);
  });

  it('follow ?threads=N when isolated', () => {
    expect(planWasmThreads({ pinned: 3, crossOriginIsolated: true, logicalCores: 2 })).toEqual({ threads: 3, reason: 'set by ?threads= in the address' });
  });

  it('read ?threads=N only as a whole number from 1 to 8', () => {
    expect(parseThreadsParameter('?threads=2')).toBe(2);
    expect(parseThreadsParameter('?backend=wasm&threads=8')).toBe(8);
    for (const search of ['', '?threads=', '?threads=0', '?threads=9', '?threads=1.5', '?threads=two', '?threads=-1']) {
      expect(parseThreadsParameter(search), search).toBeNull();
    }
  });
});
