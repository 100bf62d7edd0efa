/** The WebAssembly backend with the app's kernels (kernels.ts); imported when it starts (backend.ts). */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/base';
// Bundled as same-origin assets: the app must work offline and without a CDN.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { WASM_KERNELS } from './kernels-wasm';
import type { WasmThreadPlan } from './wasm-threads';

for (const kernel of WASM_KERNELS) tf.registerKernel(kernel);

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

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

/** The thread pool is made once per worker, when the backend first starts. */
export function start({ threads }: WasmThreadPlan): Promise<boolean> {
  setThreadsCount(threads);
  return withThreadCap(threads, () => tf.setBackend('wasm'));
}

export const threadsCount = getThreadsCount;
