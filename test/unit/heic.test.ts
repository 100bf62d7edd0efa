/**
 * HEIC/HEIF (iPhone photos): told apart from AVIF by their brands, decoded with libheif in the CLI
 * (the page's HEIC worker runs the same src/captioner/heic.ts: e2e/image-formats.spec.ts), and a
 * folder's other files named rather than skipped in silence.
 *
 * e2e/fixtures/bright.heic: a 64×48 photo encoded by heif-enc (libheif 1.15.1 with x265, Debian's
 * libheif-examples) from the pixels brightPixel gives, at quality 80, without alpha.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sniffFormat } from '../../src/captioner/image-format';
import { decodePhoto } from '../../src/node/decode-photo';
import { isPhotoPath } from '../../src/services/dropped-files';
import { FIXTURE_CAPTIONS } from '../../tools/fixture/make-fixture-model';
import { REPO_ROOT, useFixtureFolders } from './helpers/fixture';

const HEIC_FIXTURE = path.join(REPO_ROOT, 'e2e/fixtures/bright.heic');
/** The pixels the fixture was encoded from: pixel i of the 64×48 image, RGB. */
const brightPixel = (i: number) => [215 + ((i * 7) % 30), 225 + (i % 5) * 4, 205 + ((i * 3) % 40)];

/** The start of an ISO BMFF file: an ftyp box with a major brand and compatible brands. */
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const brands = [major, '\0\0\0\0', ...compatible].join('');
  const size = 8 + brands.length;
  return Uint8Array.from([0, 0, 0, size, ...'ftyp', ...brands].map((char) => (typeof char === 'number' ? char : char.charCodeAt(0))));
}

describe('sniffFormat', () => {
  it('tells HEIC from AVIF by the ftyp brands', () => {
    expect(sniffFormat(ftyp('heic', 'mif1', 'heic'))).toBe('HEIC');
    expect(sniffFormat(ftyp('heix', 'mif1'))).toBe('HEIC');
    expect(sniffFormat(ftyp('mif1', 'heic', 'miaf'))).toBe('HEIC');
    expect(sniffFormat(ftyp('avif', 'mif1', 'miaf'))).toBe('AVIF');
    expect(sniffFormat(ftyp('mif1', 'avif', 'miaf'))).toBe('AVIF');
    expect(sniffFormat(ftyp('isom', 'mp41'))).toBeNull(); // an MP4 video
  });
});

describe('the page', () => {
  it('takes HEIC and HEIF files from a dropped folder', () => {
    for (const name of ['DCIM/IMG_0001.HEIC', 'DCIM/IMG_0002.heif']) expect(isPhotoPath(name), name).toBe(true);
    for (const name of ['DCIM/IMG_0004.MOV', 'DCIM/IMG_0001.AAE']) expect(isPhotoPath(name), name).toBe(false);
  });
});

describe('decodePhoto', () => {
  it('decodes a HEIC photo to the pixels it was encoded from', async () => {
    const bytes = await readFile(HEIC_FIXTURE);
    expect(sniffFormat(bytes.subarray(0, 32))).toBe('HEIC');
    const image = await decodePhoto(bytes);
    expect([image.width, image.height]).toEqual([64, 48]);
    let difference = 0;
    for (let i = 0; i < 64 * 48; i++) {
      brightPixel(i).forEach((value, channel) => (difference += Math.abs(image.data[i * 4 + channel] - value)));
      expect(image.data[i * 4 + 3]).toBe(255);
    }
    // Lossy (HEVC at quality 80, 4:2:0 colour): close, not equal.
    expect(difference / (64 * 48 * 3)).toBeLessThan(6);
  });

  it('names what is wrong with a HEIC file it cannot read', async () => {
    await expect(decodePhoto(ftyp('heic', 'mif1', 'heic'))).rejects.toThrow(/^the HEIC file cannot be read/);
  });
});

describe('npm run caption', () => {
  const fixture = useFixtureFolders('heic');

  it('captions a folder of iPhone photos, and names the files it skips', async () => {
    const folder = path.join(fixture.dir, 'iphone');
    await mkdir(path.join(folder, 'DCIM'), { recursive: true });
    await copyFile(HEIC_FIXTURE, path.join(folder, 'DCIM/IMG_0001.HEIC'));
    await copyFile(HEIC_FIXTURE, path.join(folder, 'DCIM/IMG_0002.heif'));
    await writeFile(path.join(folder, 'DCIM/IMG_0003.MOV'), 'a video');
    await writeFile(path.join(folder, 'DCIM/IMG_0001.AAE'), '<plist/>');
    const cli = ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/caption.ts'), '--model', fixture.modelDir, '--json', '--jobs', '1'];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...cli, folder], { cwd: REPO_ROOT });
    const rows = JSON.parse(stdout) as { file: string; captions: { text: string }[] }[];
    expect(rows.map((row) => [path.basename(row.file), row.captions[0].text])).toEqual([
      ['IMG_0001.HEIC', FIXTURE_CAPTIONS.bright[0]],
      ['IMG_0002.heif', FIXTURE_CAPTIONS.bright[0]],
    ]);
    expect(stderr).toContain('2 photos found');
    expect(stderr).toContain(`skipped 2 files that are not .jpg .jpeg .png .webp .gif .bmp .heic .heif: 1 .aae, 1 .mov (${path.join(folder, 'DCIM/IMG_0001.AAE')}, ${path.join(folder, 'DCIM/IMG_0003.MOV')})`);

    // Nothing to caption is never said in silence, even with --quiet.
    const videos = path.join(fixture.dir, 'videos');
    await mkdir(videos);
    await writeFile(path.join(videos, 'clip.mov'), 'a video');
    const quiet = await promisify(execFile)(process.execPath, [...cli, '--quiet', videos], { cwd: REPO_ROOT });
    expect(quiet.stderr).toContain(`skipped 1 file that is not .jpg .jpeg .png .webp .gif .bmp .heic .heif: 1 .mov (${path.join(videos, 'clip.mov')})`);
  }, 60_000);
});
