/**
 * Surviving a lost WebGL context (GPU driver reset, GPU process crash, the OS reclaiming memory).
 * After a loss every tfjs WebGL call is a silent no-op: reads return zeros or never finish, so a job
 * running on a lost context must be abandoned and its result never shown.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl/dist/base';

type WebGLContext = WebGLRenderingContext | WebGL2RenderingContext;

/** tfjs-backend-webgl registers itself with this priority; kept so backend auto-selection ranks it the same. */
const WEBGL_BACKEND_PRIORITY = 2;

export class GpuContextLost extends Error {
  constructor() {
    super('the GPU (WebGL) context was lost');
  }
}

function currentWebglContext(): WebGLContext | null {
  return tf.getBackend() === 'webgl' ? (tf.backend() as MathBackendWebGL).gpgpu.gl : null;
}

export function isGpuContextLost(): boolean {
  return currentWebglContext()?.isContextLost() ?? false;
}

/**
 * Runs GPU work, rejecting with GpuContextLost as soon as the context is lost, even when tfjs would
 * wait forever for a read. `throwIfLost` lets the work stop itself between steps; work that was
 * abandoned keeps running until its next `throwIfLost`, which then ends it.
 */
export async function whileGpuContextHolds<T>(work: (throwIfLost: () => void) => Promise<T>): Promise<T> {
  const gl = currentWebglContext();
  if (!gl) return work(() => {});
  const throwIfLost = () => {
    if (gl.isContextLost()) throw new GpuContextLost();
  };
  throwIfLost();
  let onLost = () => {};
  const lost = new Promise<never>((_, reject) => {
    onLost = () => reject(new GpuContextLost());
  });
  gl.canvas.addEventListener('webglcontextlost', onLost);
  const running = work(throwIfLost);
  running.catch(() => {}); // its error, if it loses the race, has nobody left to tell
  try {
    const result = await Promise.race([running, lost]);
    // The loss event may still be queued while the work already finished with zeros read back.
    throwIfLost();
    return result;
  } finally {
    gl.canvas.removeEventListener('webglcontextlost', onLost);
  }
}

/**
 * Replaces the dead WebGL backend with a fresh one on a new canvas (tfjs would otherwise hand out its
 * cached, lost context again). Tensors of the old backend must have been disposed before.
 */
export async function replaceLostWebglBackend(): Promise<void> {
  // The lost context was the WebGL backend's, so its chunk is loaded already.
  const { MathBackendWebGL } = await import('./webgl-backend');
  tf.removeBackend('webgl');
  tf.registerBackend('webgl', () => new MathBackendWebGL(new OffscreenCanvas(300, 150)), WEBGL_BACKEND_PRIORITY);
}

/** For tests: loses the context the way a GPU reset would (WEBGL_lose_context). */
export function simulateGpuContextLoss(): void {
  currentWebglContext()?.getExtension('WEBGL_lose_context')?.loseContext();
}
