/** The WebGL backend with the app's kernels (kernels.ts); imported when it starts (backend.ts). */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl/dist/base';
import { WEBGL_KERNELS } from './kernels-webgl';

// For replacing a backend whose GPU context was lost (gpu-context.ts).
export { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl/dist/base';

for (const kernel of WEBGL_KERNELS) tf.registerKernel(kernel);
// Every photo has its own size; passing shapes as uniforms lets WebGL reuse compiled programs.
tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
// WebGL's top-k otherwise copies any row shorter than 100,000 values (the whole softmax) to the CPU
// and sorts it there, so the decoder's top-k would not keep the softmax on the device after all.
tf.env().set('TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD', 0);

export const start = (): Promise<boolean> => tf.setBackend('webgl');
