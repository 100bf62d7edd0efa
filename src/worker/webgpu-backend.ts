/** The WebGPU backend with the app's kernels (kernels.ts); imported on demand by backend.ts. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu/dist/base';
import { WEBGPU_KERNELS } from './kernels-webgpu';

for (const kernel of WEBGPU_KERNELS) tf.registerKernel(kernel);
