import { describe, expect, it } from 'vitest';
import { MAX_AUTOMATIC_WORKERS, parseWorkersParameter, planWorkers, type PoolDevice } from '../../src/store/pool-size';

const LAPTOP: PoolDevice = { pinned: null, backend: 'wasm', logicalCores: 8, deviceMemoryGb: 8, firstWorkerThreads: 1 };

describe('the captioner pool size', () => {
  it('is one worker per logical core, at most four, at least one', () => {
    expect(planWorkers({ ...LAPTOP, logicalCores: 2 }).workers).toBe(2);
    expect(planWorkers({ ...LAPTOP, logicalCores: 3 }).workers).toBe(3);
    expect(planWorkers({ ...LAPTOP, logicalCores: 16 }).workers).toBe(MAX_AUTOMATIC_WORKERS);
    expect(planWorkers({ ...LAPTOP, logicalCores: 1 }).workers).toBe(1);
    expect(planWorkers({ ...LAPTOP, logicalCores: 2 }).reason).toMatch(/one per logical core \(2\), at most 4/);
  });

  it("leaves the cores of the first worker's extra WebAssembly threads free", () => {
    // 4 cores, 2 threads in the first worker: it and two helpers fill them.
    expect(planWorkers({ ...LAPTOP, logicalCores: 4, firstWorkerThreads: 2 }).workers).toBe(3);
    expect(planWorkers({ ...LAPTOP, logicalCores: 8, firstWorkerThreads: 4 }).workers).toBe(4);
    expect(planWorkers({ ...LAPTOP, logicalCores: 2, firstWorkerThreads: 4 }).workers).toBe(1);
  });

  it('shrinks when the device has little memory, and not where the browser does not tell', () => {
    expect(planWorkers({ ...LAPTOP, deviceMemoryGb: 0.5 })).toEqual({ workers: 1, reason: expect.stringMatching(/0.5 GB of memory/) });
    expect(planWorkers({ ...LAPTOP, deviceMemoryGb: 1 }).workers).toBe(1);
    expect(planWorkers({ ...LAPTOP, deviceMemoryGb: 2 }).workers).toBe(2);
    expect(planWorkers({ ...LAPTOP, deviceMemoryGb: 4 }).workers).toBe(4);
    expect(planWorkers({ ...LAPTOP, deviceMemoryGb: null }).workers).toBe(4);
    // A limit above what the cores give changes nothing, reason included.
    expect(planWorkers({ ...LAPTOP, logicalCores: 2, deviceMemoryGb: 2 }).reason).toMatch(/logical core/);
  });

  it('gives a GPU backend one worker', () => {
    expect(planWorkers({ ...LAPTOP, backend: 'webgl' })).toEqual({ workers: 1, reason: expect.stringMatching(/one worker owns the GPU/) });
    expect(planWorkers({ ...LAPTOP, backend: 'webgpu' }).workers).toBe(1);
    expect(planWorkers({ ...LAPTOP, backend: 'cpu' }).workers).toBe(4);
  });

  it('is pinned by ?workers=N, on any backend and whatever the memory', () => {
    expect(planWorkers({ ...LAPTOP, pinned: 3, backend: 'webgl', deviceMemoryGb: 0.5 })).toEqual({ workers: 3, reason: 'set by ?workers= in the address' });
    expect(parseWorkersParameter('?workers=2')).toBe(2);
    expect(parseWorkersParameter('?backend=wasm&workers=8')).toBe(8);
    for (const search of ['', '?workers=0', '?workers=9', '?workers=two', '?workers=1.5', '?workers=-1']) expect(parseWorkersParameter(search), search).toBeNull();
  });
});
