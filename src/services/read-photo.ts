import { DamagedImageError, NotAnImageError, TruncatedImageError } from '../captioner/errors';
import { FORMAT_HEAD_BYTES, hasJpegEnd, JPEG_TAIL_BYTES, sniffFormat } from '../captioner/image-format';
import { isPhotoFile, type PhotoFile } from '../worker/protocol';
import { decodeHeicFile } from './heic-decoding';

const SUPPORTED = 'JPEG, PNG, GIF, WebP, BMP, AVIF or HEIC';

async function readBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * Checks a photo from its bytes alone and readies it for the captioner worker, which decodes it (off
 * the page's thread, only to the size the model needs: src/worker/photo-decoding.ts). A HEIC photo,
 * which browsers do not decode, is decoded here, in the HEIC worker. Throws errors meant for the photo's card.
 */
export async function readPhoto(file: Blob): Promise<PhotoFile | ImageBitmap> {
  if (file.size === 0) throw new NotAnImageError('The file is empty (0 bytes).');
  const format = sniffFormat(await readBytes(file.slice(0, FORMAT_HEAD_BYTES)));
  if (!format) throw new NotAnImageError(`This is not an image this app can read (expected ${SUPPORTED}).`);
  if (format === 'JPEG' && !hasJpegEnd(await readBytes(file.slice(-JPEG_TAIL_BYTES)))) {
    throw new TruncatedImageError('The JPEG file is incomplete (truncated download or copy?).');
  }
  if (format !== 'HEIC') return { kind: 'photo-file', file, format };
  // Decoded as in the CLI (libheif, which applies the photo's own rotation), in a worker of its own.
  return decodeHeicFile(file).catch((error: Error) => {
    throw new DamagedImageError(`The HEIC photo could not be decoded: ${error.message}.`);
  });
}

/** Lets go of a photo that will not be sent after all (a decoded one holds its pixels until closed). */
export function releasePhoto(photo: PhotoFile | ImageBitmap): void {
  if (!isPhotoFile(photo)) photo.close();
}
