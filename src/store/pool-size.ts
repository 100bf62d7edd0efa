/**
 * How many captioner workers caption a batch of photos (src/services/captioner-pool.ts). Each worker holds
 * the whole model and runs one photo at a time on one core, as the CLI's `--jobs` threads do, so the
 * pool scales with cores where WebAssembly threads inside one model lose on a busy machine.
 */
import type { BackendName } from '../worker/protocol';
import { parseCountParameter } from '../worker/wasm-threads';

/** More workers than this gain little on a laptop and each costs a copy of the model. */
export const MAX_AUTOMATIC_WORKERS = 4;

export const MAX_PINNED_WORKERS = 8;

/**
 * navigator.deviceMemory (GB, which browsers round down to a power of two) below which the pool is
 * kept small: each extra worker costs about 140–155 MB (`npm run bench -- --pool` measures it), which a phone with
 * 1 GB cannot spare for speed.
 */
const MEMORY_LIMITS: readonly { belowGb: number; workers: number }[] = [
  { belowGb: 2, workers: 1 },
  { belowGb: 4, workers: 2 },
];

export interface WorkerPlan {
  workers: number;
  /** For the UI: why this many. */
  reason: string;
}

export interface PoolDevice {
  /** `?workers=N` in the address; null: the pool decides. */
  pinned: number | null;
  /** The backend the first worker runs. */
  backend: BackendName;
  /** navigator.hardwareConcurrency. */
  logicalCores: number;
  /** navigator.deviceMemory in GB; null where the browser does not tell (Firefox, Safari). */
  deviceMemoryGb: number | null;
  /** WebAssembly threads of the first worker (1 off wasm): it keeps them for the camera and single photos. */
  firstWorkerThreads: number;
}

export function planWorkers({ pinned, backend, logicalCores, deviceMemoryGb, firstWorkerThreads }: PoolDevice): WorkerPlan {
  if (pinned !== null) return { workers: pinned, reason: 'set by ?workers= in the address' };
  if (backend === 'webgl' || backend === 'webgpu') {
    // A GPU runs one context's work at a time and each worker would upload its own copy of the weights.
    // Not measured on a real GPU (the build machine's WebGL is SwiftShader): ?workers=N lets one try.
    return { workers: 1, reason: 'one worker owns the GPU; ?workers=N in the address sets it' };
  }
  // Every logical core busy, none oversubscribed: the first worker's extra threads take cores too.
  const freeCores = Math.max(1, logicalCores - (firstWorkerThreads - 1));
  const byCores = Math.min(freeCores, MAX_AUTOMATIC_WORKERS);
  const memoryLimit = deviceMemoryGb === null ? undefined : MEMORY_LIMITS.find(({ belowGb }) => deviceMemoryGb < belowGb);
  if (memoryLimit && memoryLimit.workers < byCores) {
    return { workers: memoryLimit.workers, reason: `kept to ${memoryLimit.workers} by the device's ${deviceMemoryGb} GB of memory; ?workers=N in the address sets it` };
  }
  const threadsNote = firstWorkerThreads > 1 ? `, less the first worker's ${firstWorkerThreads - 1} extra WebAssembly threads` : '';
  return { workers: byCores, reason: `one per logical core (${logicalCores}${threadsNote}), at most ${MAX_AUTOMATIC_WORKERS}; ?workers=N in the address sets it` };
}

/** `?workers=N` (1 ≤ N ≤ MAX_PINNED_WORKERS), or null when absent or not such a number. */
export function parseWorkersParameter(search: string): number | null {
  return parseCountParameter(search, 'workers', MAX_PINNED_WORKERS);
}
