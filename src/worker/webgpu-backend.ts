/**
 * The WebGPU backend with the app's kernels (kernels.ts); imported when it starts (backend.ts). It runs
 * only on a GPU (or when pinned), so the service worker does not precache it (tools/build/offline-plugin.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu/dist/base';
import { WEBGPU_KERNELS } from './kernels-webgpu';

for (const kernel of WEBGPU_KERNELS) tf.registerKernel(kernel);

export const start = (): Promise<boolean> => tf.setBackend('webgpu');
