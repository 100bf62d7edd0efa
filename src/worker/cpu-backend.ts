/** The plain JavaScript (CPU) backend with the app's kernels (kernels.ts); imported when it starts (backend.ts). */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu/dist/base';
import { CPU_KERNELS } from './kernels-cpu';

for (const kernel of CPU_KERNELS) tf.registerKernel(kernel);

export const start = (): Promise<boolean> => tf.setBackend('cpu');
