import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../../src/worker/protocol';

/** Runs `op` once to compile it, then returns the best of a few timed runs, in GFLOP/s. */
async function bestGflops(op: () => tf.Tensor, flop: number): Promise<number> {
  let bestMs = Infinity;
  for (let run = 0; run < 4; run++) {
    const startedAt = performance.now();
    const output = op();
    // Reading one element waits for the whole result without timing a large readback.
    const probe = tf.slice(output, new Array<number>(output.rank).fill(0), new Array<number>(output.rank).fill(1));
    await probe.data();
    const elapsed = performance.now() - startedAt;
    tf.dispose([output, probe]);
    if (run > 0) bestMs = Math.min(bestMs, elapsed);
  }
  return flop / (bestMs * 1e6);
}

/** The backend's own matMul and conv2d throughput here, to put the encoder's speed in proportion. */
export async function measureThroughput(backend: BackendName): Promise<{ matMulGflops: number; convGflops: number }> {
  // Smaller problems on plain JS keep the run short; they still fill its single thread.
  const n = backend === 'cpu' ? 256 : 1024;
  const [size, channels] = backend === 'cpu' ? [28, 64] : [56, 128];
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const image = tf.randomUniform([1, size, size, channels]);
  const filter = tf.randomUniform([3, 3, channels, channels]);
  try {
    return {
      matMulGflops: await bestGflops(() => tf.matMul(a, b), 2 * n ** 3),
      convGflops: await bestGflops(() => tf.conv2d(image as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'), 2 * size * size * channels * channels * 9),
    };
  } finally {
    tf.dispose([a, b, image, filter]);
  }
}

const product = (shape: number[]): number => shape.reduce((total, size) => total * size, 1);

/** FLOP of one kernel call, for the kernels that dominate a vision encoder; 0 for the rest. */
function kernelFlop(name: string, inputShapes: number[][], outputShapes: number[][]): number {
  const output = outputShapes[0] ?? [];
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D': {
      const [height, width, inChannels] = inputShapes[1];
      return 2 * product(output) * height * width * inChannels;
    }
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2D': {
      const [height, width] = inputShapes[1];
      return 2 * product(output) * height * width;
    }
    case 'BatchMatMul':
    case '_FusedMatMul': {
      // a [B,m,k] × b [B,k,n] = [B,m,n]: |a|·|b| / |out| = B·k².
      const batch = product(output.slice(0, -2));
      const inner = Math.sqrt((product(inputShapes[0]) * product(inputShapes[1])) / product(output) / batch);
      return 2 * product(output) * inner;
    }
    default:
      return 0;
  }
}

/** GFLOP of everything `run` computes, from the kernels tf.profile records. */
export async function profileGflop(run: () => tf.Tensor): Promise<number> {
  const info = await tf.profile(run);
  tf.dispose(info.result);
  const flop = info.kernels.reduce((total, kernel) => total + kernelFlop(kernel.name, kernel.inputShapes, kernel.outputShapes), 0);
  return flop / 1e9;
}
