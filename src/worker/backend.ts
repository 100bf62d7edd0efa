import * as tf from '@tensorflow/tfjs-core';
// The backends without their kernel sets ('dist/base'): only the kernels the app's graphs use are registered (kernels.ts).
import '@tensorflow/tfjs-backend-webgl/dist/base';
import '@tensorflow/tfjs-backend-cpu/dist/base';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/base';
// Bundled as same-origin assets: the app must work offline and without a CDN.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { CPU_KERNELS } from './kernels-cpu';
import { WASM_KERNELS } from './kernels-wasm';
import { WEBGL_KERNELS } from './kernels-webgl';
import { BACKENDS, type BackendName, type WasmThreads } from './protocol';
import type { WasmThreadPlan } from './wasm-threads';

for (const kernel of [...WEBGL_KERNELS, ...WASM_KERNELS, ...CPU_KERNELS]) tf.registerKernel(kernel);

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'plain JavaScript (CPU)' };

/**
 * WebGPU runs only on a GPU (or when pinned), so its backend and kernels are a separate chunk that
 * other machines never download; it registers itself when imported.
 */
function setWebgpuBackend(): Promise<boolean> {
  return import('./webgpu-backend').then(() => tf.setBackend('webgpu'));
}

export interface StartedBackend {
  backend: BackendName;
  /** Set when the preferred backend could not start, for the UI to show. */
  note: string | null;
  /** The WebAssembly backend's threads; null on the others. */
  wasmThreads: WasmThreads | null;
}

/**
 * tfjs's threaded build caps its pool at half of navigator.hardwareConcurrency, whatever
 * setThreadsCount asks (it assumes two hardware threads per core), so a 2-core machine never got a
 * second thread. The build reads the core count once, while its module starts; during that start
 * the worker reports enough cores for `threads`.
 */
async function withThreadCap<T>(threads: number, start: () => Promise<T>): Promise<T> {
  if (navigator.hardwareConcurrency >= 2 * threads) return start();
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => 2 * threads });
  try {
    return await start();
  } finally {
    // The own property shadowed the browser's getter on the prototype.
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/**
 * Starts the preferred tfjs backend, falling back along webgl → wasm → cpu. `threads` sizes the
 * WebAssembly thread pool, which is made once per worker, when that backend first starts.
 */
export async function startBackend(preferred: BackendName, threads: WasmThreadPlan): Promise<StartedBackend> {
  setThreadsCount(threads.threads);
  // Every photo has its own size; passing shapes as uniforms lets WebGL reuse compiled programs.
  tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
  // WebGL's top-k otherwise copies any row shorter than 100,000 values (the whole softmax) to the CPU
  // and sorts it there, so the decoder's top-k would not keep the softmax on the device after all.
  tf.env().set('TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD', 0);
  const order = [preferred, ...BACKENDS.filter((name) => name !== preferred)];
  for (const backend of order) {
    // setBackend resolves false (or throws) when a backend cannot initialise, e.g. no WebGL in this worker.
    const start = backend === 'webgpu' ? setWebgpuBackend : () => withThreadCap(threads.threads, () => tf.setBackend(backend));
    if (await start().catch(() => false)) {
      await tf.ready();
      const note =
        backend === preferred
          ? null
          : `${BACKEND_LABELS[preferred]} is not available in this browser, so captions are computed with ${BACKEND_LABELS[backend]} (slower).`;
      const wasmThreads = backend === 'wasm' ? { count: getThreadsCount(), reason: threads.reason } : null;
      return { backend, note, wasmThreads };
    }
  }
  throw new Error('no TensorFlow.js backend could start in this browser');
}
