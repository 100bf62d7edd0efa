/**
 * Three PNGs that look the same on a web page: a 32×32 square whose left half is opaque dark grey and
 * whose right half is opaque white, or transparent hiding black, or transparent hiding blue. The page
 * and the CLI must caption (and thumbnail) them alike.
 */
import { PNG } from 'pngjs';

function halfPng(background: [number, number, number, number]): Uint8Array {
  const image = new PNG({ width: 32, height: 32 });
  for (let pixel = 0; pixel < 32 * 32; pixel++) image.data.set(pixel % 32 < 16 ? [40, 40, 40, 255] : background, pixel * 4);
  return PNG.sync.write(image);
}

export const LOOK_ALIKE_PNGS: Readonly<Record<string, Uint8Array>> = {
  'opaque-white.png': halfPng([255, 255, 255, 255]),
  'hides-black.png': halfPng([0, 0, 0, 0]),
  'hides-blue.png': halfPng([0, 0, 255, 0]),
};
