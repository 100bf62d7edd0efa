/**
 * Transparent pixels are shown over white, as a web page shows them: three photos that look the same
 * (an opaque white background, or a transparent one hiding black or blue) decode to the same pixels
 * and get the same captions in the CLI. The page's worker runs the same compositeOnWhite (e2e/image-formats.spec.ts).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compositeOnWhite } from '../../src/captioner/on-white';
import { decodePhoto } from '../../src/node/decode-photo';
import { gif } from '../../e2e/image-bytes';
import { LOOK_ALIKE_PNGS } from '../../e2e/look-alikes';
import { REPO_ROOT, useFixtureFolders } from './helpers/fixture';

describe('compositeOnWhite', () => {
  it('shows each pixel over white: transparent is white, opaque is unchanged, half is halfway', () => {
    const image = { width: 4, height: 1, data: new Uint8Array([0, 0, 255, 0, 10, 20, 30, 255, 0, 0, 0, 128, 255, 0, 0, 64]) };
    expect([...compositeOnWhite(image).data]).toEqual([255, 255, 255, 255, 10, 20, 30, 255, 127, 127, 127, 255, 255, 191, 191, 255]);
  });
});

describe('the CLI', () => {
  it('decodes transparent PNG and GIF pixels as white, whatever colour they hide', async () => {
    const [white, ...hidden] = await Promise.all(Object.values(LOOK_ALIKE_PNGS).map((bytes) => decodePhoto(bytes)));
    for (const image of hidden) expect(Buffer.from(image.data).equals(Buffer.from(white.data))).toBe(true);
    // A GIF's transparent colour index: the palette's colour for it is never shown.
    const transparentGif = await decodePhoto(gif(4, 4, [[0, 0, 0], [40, 40, 40]], [(x) => (x < 2 ? 1 : 0)], 0));
    expect([...transparentGif.data.subarray(0, 16)]).toEqual([40, 40, 40, 255, 40, 40, 40, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
  });

  const fixture = useFixtureFolders('transparency');

  it('gives the three look-alikes the same captions, those of the opaque one', async () => {
    for (const [name, bytes] of Object.entries(LOOK_ALIKE_PNGS)) await writeFile(path.join(fixture.dir, name), bytes);
    const args = ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/caption.ts'), '--model', fixture.modelDir, '--json', '--jobs', '1', fixture.dir];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT });
    const rows = JSON.parse(stdout) as { file: string; captions: { text: string; p: number }[] }[];
    const captions = Object.fromEntries(rows.map((row) => [path.basename(row.file), row.captions]));
    expect(captions['opaque-white.png'][0].text).toBe('a white square .');
    expect(captions['hides-black.png']).toEqual(captions['opaque-white.png']);
    expect(captions['hides-blue.png']).toEqual(captions['opaque-white.png']);
  }, 60_000);
});
