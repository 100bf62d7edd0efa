/**
 * What the tests need to see inside the worker: tfjs memory (to prove nothing leaks per photo) and a
 * coarse view of the last image handed to the model (to prove EXIF orientation was applied).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RgbaImage } from '../captioner';
import type { ImageSummary, MemorySummary } from './protocol';

/** Pixels sampled per quadrant side: enough for flat test images, cheap enough to run on every photo. */
const SAMPLES_PER_SIDE = 8;

function meanBrightness(image: RgbaImage, left: number, top: number, width: number, height: number): number {
  let sum = 0;
  for (let row = 0; row < SAMPLES_PER_SIDE; row++) {
    const y = top + Math.floor(((row + 0.5) * height) / SAMPLES_PER_SIDE);
    for (let column = 0; column < SAMPLES_PER_SIDE; column++) {
      const x = left + Math.floor(((column + 0.5) * width) / SAMPLES_PER_SIDE);
      const pixel = (y * image.width + x) * 4;
      sum += (image.data[pixel] + image.data[pixel + 1] + image.data[pixel + 2]) / 3;
    }
  }
  return sum / SAMPLES_PER_SIDE ** 2 / 255;
}

export function summarizeImage(image: RgbaImage): ImageSummary {
  const halfWidth = Math.max(1, Math.floor(image.width / 2));
  const halfHeight = Math.max(1, Math.floor(image.height / 2));
  const right = image.width - halfWidth;
  const bottom = image.height - halfHeight;
  return {
    width: image.width,
    height: image.height,
    quadrantBrightness: [
      meanBrightness(image, 0, 0, halfWidth, halfHeight),
      meanBrightness(image, right, 0, halfWidth, halfHeight),
      meanBrightness(image, 0, bottom, halfWidth, halfHeight),
      meanBrightness(image, right, bottom, halfWidth, halfHeight),
    ],
  };
}

export function summarizeMemory(): MemorySummary {
  // numBytesInGPU exists only on the WebGL backend.
  const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  // The wasm backend's Emscripten module (not in tfjs-core's types).
  const wasmHeap = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return {
    backend: tf.getBackend(),
    numTensors: memory.numTensors,
    numBytes: memory.numBytes,
    numBytesInGPU: memory.numBytesInGPU ?? null,
    wasmMemoryBytes: wasmHeap?.byteLength ?? null,
  };
}
