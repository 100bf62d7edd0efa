import * as tf from '@tensorflow/tfjs-core';
import { BACKENDS, type BackendName, type WasmThreads } from './protocol';
import type { WasmThreadPlan } from './wasm-threads';

/**
 * What each backend chunk (<name>-backend.ts) exports. Importing one registers its tfjs backend
 * ('dist/base', without tfjs's full kernel set) and only the app's kernels (kernels.ts).
 */
export interface BackendChunk {
  /** Makes this backend tfjs's current one; resolves false (or rejects) when it cannot initialise here. */
  start(threads: WasmThreadPlan): Promise<boolean>;
  /** The threads it runs on once started; only the WebAssembly backend has a pool. */
  threadsCount?(): number;
}

/**
 * A browser only ever runs one backend, so each is a chunk of its own, loaded when that backend
 * starts: the worker downloads its backend (and any it falls back through), never all four.
 */
const BACKEND_CHUNKS: Record<BackendName, () => Promise<BackendChunk>> = {
  webgl: () => import('./webgl-backend'),
  wasm: () => import('./wasm-backend'),
  cpu: () => import('./cpu-backend'),
  webgpu: () => import('./webgpu-backend'),
};

const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'plain JavaScript (CPU)' };

export interface StartedBackend {
  backend: BackendName;
  /** Set when the preferred backend could not start, for the UI to show. */
  note: string | null;
  /** The WebAssembly backend's threads; null on the others. */
  wasmThreads: WasmThreads | null;
}

/**
 * Starts the preferred tfjs backend, falling back along webgl → wasm → cpu. `threads` sizes the
 * WebAssembly thread pool, which is made once per worker, when that backend first starts.
 */
export async function startBackend(preferred: BackendName, threads: WasmThreadPlan): Promise<StartedBackend> {
  const order = [preferred, ...BACKENDS.filter((name) => name !== preferred)];
  for (const backend of order) {
    // A chunk that fails to load counts as a backend that cannot start: the next one may still.
    const chunk = await BACKEND_CHUNKS[backend]().catch(() => null);
    if (chunk && (await chunk.start(threads).catch(() => false))) {
      await tf.ready();
      const note =
        backend === preferred
          ? null
          : `${BACKEND_LABELS[preferred]} is not available in this browser, so captions are computed with ${BACKEND_LABELS[backend]} (slower).`;
      const wasmThreads = chunk.threadsCount ? { count: chunk.threadsCount(), reason: threads.reason } : null;
      return { backend, note, wasmThreads };
    }
  }
  throw new Error('no TensorFlow.js backend could start in this browser');
}
