/**
 * Node's one image decoder (the CLI, the library, training and the tests all use it): decodes a photo
 * file's bytes the way the page does (createImageBitmap): JPEG, PNG, GIF (first frame), WebP, BMP and
 * HEIC (libheif, as the page's HEIC worker), told apart by content, truncated JPEGs refused, EXIF
 * orientation applied, transparent pixels shown over white.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import decodeWebp, { init as initWebpDecoder } from '@jsquash/webp/decode.js';
import * as bmp from 'bmp-ts';
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import omggif from 'omggif';
import { PNG } from 'pngjs';
import { CaptionError, DamagedImageError, NotAnImageError, TruncatedImageError, UnsupportedFormatError } from '../captioner/errors';
import { decodeHeic } from '../captioner/heic';
import { FORMAT_HEAD_BYTES, hasJpegEnd, JPEG_TAIL_BYTES, sniffFormat, type ImageFormat } from '../captioner/image-format';
import { compositeOnWhite } from '../captioner/on-white';
import type { RgbaImage } from '../captioner/preprocess';

const require = createRequire(import.meta.url);

/** 2^28 pixels (1 GiB of RGBA), as jpeg-js's memory limit below: larger claims are refused before allocating. */
const MAX_PIXELS = 2 ** 28;
const JPEG_MEMORY_LIMIT_MB = 1024;

const SUPPORTED = 'a JPEG, PNG, GIF, WebP, BMP or HEIC image';

function checkSize(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new DamagedImageError(`the image claims an empty size (${width}×${height})`);
  if (width * height > MAX_PIXELS) throw new DamagedImageError(`the image is too large to decode (${width}×${height} pixels)`);
}

let webpDecoderReady: Promise<void> | undefined;

/** The decoder's own loader fetches its wasm by URL, which Node cannot do for files: hand it the compiled module. */
function startWebpDecoder(): Promise<void> {
  webpDecoderReady ??= readFile(require.resolve('@jsquash/webp/codec/dec/webp_dec.wasm'))
    .then((bytes) => WebAssembly.compile(bytes))
    .then((module) => initWebpDecoder(module));
  return webpDecoderReady;
}

const readHeicWasm = () => readFile(require.resolve('libheif-js/libheif-wasm/libheif.wasm'));

async function decodeFormat(format: ImageFormat, bytes: Uint8Array): Promise<RgbaImage> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case 'JPEG': {
      if (!hasJpegEnd(bytes.subarray(-JPEG_TAIL_BYTES))) throw new TruncatedImageError('the JPEG file is incomplete (truncated download or copy?)');
      const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: JPEG_MEMORY_LIMIT_MB });
      return { width, height, data };
    }
    case 'PNG': {
      if (bytes.length >= 24) checkSize(buffer.readUInt32BE(16), buffer.readUInt32BE(20));
      const { width, height, data } = PNG.sync.read(buffer);
      return { width, height, data };
    }
    case 'GIF': {
      const reader = new omggif.GifReader(buffer);
      checkSize(reader.width, reader.height);
      const data = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(0, data);
      return { width: reader.width, height: reader.height, data };
    }
    case 'WebP': {
      await startWebpDecoder();
      const { width, height, data } = await decodeWebp(bytes.slice().buffer);
      return { width, height, data };
    }
    case 'BMP': {
      if (bytes.length >= 26) checkSize(buffer.readInt32LE(18), Math.abs(buffer.readInt32LE(22)));
      const { width, height, data } = bmp.decode(buffer, { toRGBA: true });
      return { width, height, data };
    }
    case 'HEIC':
      return decodeHeic(bytes, readHeicWasm);
    case 'AVIF':
      throw new UnsupportedFormatError(`AVIF is not supported here (expected ${SUPPORTED})`);
  }
}

/** The EXIF orientation (1–8) of a photo, 1 when it has none or its metadata cannot be read. */
async function exifOrientation(bytes: Uint8Array): Promise<number> {
  const orientation = await exifr.orientation(bytes).catch(() => undefined);
  return orientation !== undefined && orientation >= 1 && orientation <= 8 ? orientation : 1;
}

/**
 * Turns stored pixels into the photo as it should be shown. For each orientation, where the shown
 * pixel (x, y) comes from in the stored image (w × h): orientations 5–8 swap width and height.
 */
const SOURCE_PIXEL: Record<number, (x: number, y: number, w: number, h: number) => [number, number]> = {
  1: (x, y) => [x, y],
  2: (x, y, w) => [w - 1 - x, y],
  3: (x, y, w, h) => [w - 1 - x, h - 1 - y],
  4: (x, y, _w, h) => [x, h - 1 - y],
  5: (x, y) => [y, x],
  6: (x, y, _w, h) => [y, h - 1 - x],
  7: (x, y, w, h) => [w - 1 - y, h - 1 - x],
  8: (x, y, w) => [w - 1 - y, x],
};

export function applyOrientation(image: RgbaImage, orientation: number): RgbaImage {
  if (orientation === 1) return image;
  const { width: w, height: h, data } = image;
  const swapped = orientation >= 5;
  const width = swapped ? h : w;
  const height = swapped ? w : h;
  const source = SOURCE_PIXEL[orientation];
  const pixels = new Uint32Array(width * height);
  // One 32-bit read per RGBA pixel; a decoder's buffer may start off a 4-byte boundary, so copy it then.
  const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
  const stored = new Uint32Array(aligned.buffer, aligned.byteOffset, w * h);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = source(x, y, w, h);
      pixels[y * width + x] = stored[sy * w + sx];
    }
  }
  return { width, height, data: new Uint8Array(pixels.buffer) };
}

/** Decodes a photo; what cannot be captioned throws a CaptionError saying why (src/captioner/errors.ts). */
export async function decodePhoto(bytes: Uint8Array): Promise<RgbaImage> {
  if (bytes.length === 0) throw new NotAnImageError('the file is empty (0 bytes)');
  const format = sniffFormat(bytes.subarray(0, FORMAT_HEAD_BYTES));
  if (!format) throw new NotAnImageError(`not ${SUPPORTED}`);
  let decoded: RgbaImage;
  try {
    decoded = await decodeFormat(format, bytes);
  } catch (error) {
    if (error instanceof CaptionError) throw error;
    // The decoders' own errors ("unexpected end of file", "marker was not found") name no file: say what it means.
    throw new DamagedImageError(`the ${format} data is damaged (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  // A BMP's fourth byte is mostly padding, which bmp-ts hands on as alpha: it stays ignored.
  const image = format === 'BMP' ? decoded : compositeOnWhite(decoded);
  // HEIF rotates in its own boxes, which libheif applies; its EXIF orientation only repeats them.
  return format === 'HEIC' ? image : applyOrientation(image, await exifOrientation(bytes));
}
