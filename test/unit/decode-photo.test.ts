import encodeWebp, { init as initWebpEncoder } from '@jsquash/webp/encode';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { hostileCorpus } from '../../e2e/hostile-corpus';
import { flatBlockJpeg, withExifOrientation } from '../../e2e/image-bytes';
import { decodePhoto } from '../../src/node/decode-photo';
import { bmp24 } from './helpers/images';

const require = createRequire(import.meta.url);

/** Mean of the R channel in each quadrant: top left, top right, bottom left, bottom right. */
function quadrantBrightness({ width, height, data }: { width: number; height: number; data: Uint8Array | Uint8ClampedArray }): number[] {
  const sums = [0, 0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) sums[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)] += data[(y * width + x) * 4];
  }
  return sums.map((sum) => sum / ((width * height) / 4));
}

describe('decodePhoto', () => {
  it('decodes every image of the hostile corpus the page captions, and refuses the ones it must', async () => {
    for (const input of hostileCorpus()) {
      const outcome = await decodePhoto(input.bytes).then(
        (image) => ({ ok: true as const, image }),
        (error: Error) => ({ ok: false as const, error }),
      );
      if (input.expected === 'caption') {
        expect(outcome.ok, input.name).toBe(true);
        if (outcome.ok) expect(outcome.image.data.length, input.name).toBe(outcome.image.width * outcome.image.height * 4);
      }
      if (input.expected === 'error') expect(outcome.ok, input.name).toBe(false);
    }
  }, 60_000);

  it('applies EXIF orientation like the page (the stored top-left corner moves, and 5–8 swap the sides)', async () => {
    // 64 × 32 px, stored with a bright top-left quadrant and the rest dark.
    const stored = flatBlockJpeg(64, 32, 'ycbcr', (column, row) => [column < 4 && row < 2 ? 250 : 10, 128, 128]);
    const brightQuadrant = [0, 1, 3, 2, 0, 1, 3, 2];
    for (let orientation = 1; orientation <= 8; orientation++) {
      const image = await decodePhoto(withExifOrientation(stored, orientation));
      expect([image.width, image.height], `orientation ${orientation}`).toEqual(orientation >= 5 ? [32, 64] : [64, 32]);
      const brightness = quadrantBrightness(image);
      expect(brightness.indexOf(Math.max(...brightness)), `orientation ${orientation}`).toBe(brightQuadrant[orientation - 1]);
    }
  });

  it('decodes BMP and lossy WebP pixels', async () => {
    const fromBmp = await decodePhoto(bmp24(3, 2, (x, y) => (x === 0 && y === 0 ? [200, 100, 50] : [10, 20, 30])));
    expect([fromBmp.width, fromBmp.height]).toEqual([3, 2]);
    expect([...fromBmp.data.subarray(0, 3)]).toEqual([200, 100, 50]);
    expect([...fromBmp.data.subarray(20, 23)]).toEqual([10, 20, 30]);

    await initWebpEncoder(await WebAssembly.compile(await readFile(require.resolve('@jsquash/webp/codec/enc/webp_enc.wasm'))));
    const pixels = new Uint8ClampedArray(16 * 8 * 4).fill(230);
    const webp = await encodeWebp({ width: 16, height: 8, data: pixels, colorSpace: 'srgb' }, { quality: 90 });
    const fromWebp = await decodePhoto(new Uint8Array(webp));
    expect([fromWebp.width, fromWebp.height]).toEqual([16, 8]);
    for (const value of fromWebp.data.subarray(0, 3)) expect(Math.abs(value - 230)).toBeLessThan(6);
  });

  it('names what is wrong with a file it cannot read', async () => {
    await expect(decodePhoto(new Uint8Array(0))).rejects.toThrow('the file is empty');
    await expect(decodePhoto(new TextEncoder().encode('{"name": "package.json"}'))).rejects.toThrow('not a JPEG, PNG, GIF, WebP, BMP or HEIC image');
    const jpeg = flatBlockJpeg(16, 16, 'grey', () => [128]);
    await expect(decodePhoto(jpeg.subarray(0, jpeg.length - 40))).rejects.toThrow('the JPEG file is incomplete');
  });
});
