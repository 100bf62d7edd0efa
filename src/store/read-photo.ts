import { DamagedImageError, NotAnImageError, TruncatedImageError } from '../captioner/errors';
import { FORMAT_HEAD_BYTES, hasJpegEnd, JPEG_TAIL_BYTES, sniffFormat } from '../captioner/image-format';
import { decodeHeicFile } from './heic-decoding';

/**
 * Longest side handed to the worker: more only costs copying. Up to it the worker's own resampling
 * (as in the CLI and in training) makes the model's input, so for such photos the page and
 * `npm run caption` give the same captions.
 */
export const MAX_PHOTO_SIDE = 1024;

const SUPPORTED = 'JPEG, PNG, GIF, WebP, BMP, AVIF or HEIC';

async function readBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * Decodes a photo off the main thread (createImageBitmap; HEIC in the HEIC worker), applying its orientation and
 * shrinking it so the long side is at most MAX_PHOTO_SIDE. Throws errors meant for the photo's card.
 */
export async function readPhoto(file: Blob): Promise<ImageBitmap> {
  if (file.size === 0) throw new NotAnImageError('The file is empty (0 bytes).');
  const format = sniffFormat(await readBytes(file.slice(0, FORMAT_HEAD_BYTES)));
  if (!format) throw new NotAnImageError(`This is not an image this app can read (expected ${SUPPORTED}).`);
  if (format === 'JPEG' && !hasJpegEnd(await readBytes(file.slice(-JPEG_TAIL_BYTES)))) {
    throw new TruncatedImageError('The JPEG file is incomplete (truncated download or copy?).');
  }
  let full: ImageBitmap;
  if (format === 'HEIC') {
    // Decoded as in the CLI (libheif, which applies the photo's own rotation), in a worker of its own.
    full = await decodeHeicFile(file).catch((error: Error) => {
      throw new DamagedImageError(`The HEIC photo could not be decoded: ${error.message}.`);
    });
  } else {
    try {
      full = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      throw new DamagedImageError(`The ${format} data is damaged or too large for this browser to decode.`);
    }
  }
  const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(full.width, full.height));
  if (scale === 1) return full;
  try {
    return await createImageBitmap(full, {
      resizeWidth: Math.max(1, Math.round(full.width * scale)),
      resizeHeight: Math.max(1, Math.round(full.height * scale)),
      resizeQuality: 'high',
    });
  } finally {
    full.close();
  }
}
