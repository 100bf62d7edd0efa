import { hasJpegEnd, JPEG_TAIL_BYTES, sniffFormat } from '../captioner/image-format';
import { coveringSize, type ImageSize } from '../captioner/preprocess';

const SUPPORTED = 'JPEG, PNG, GIF, WebP, BMP or AVIF';

async function readBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * Decodes a photo off the main thread (createImageBitmap), applying its EXIF orientation and
 * shrinking it to just cover the model's input (`input`). Throws errors meant for the photo's card.
 */
export async function readPhoto(file: File, input: ImageSize): Promise<ImageBitmap> {
  if (file.size === 0) throw new Error('The file is empty (0 bytes).');
  const format = sniffFormat(await readBytes(file.slice(0, 16)));
  if (!format) throw new Error(`This is not an image this app can read (expected ${SUPPORTED}).`);
  if (format === 'JPEG' && !hasJpegEnd(await readBytes(file.slice(-JPEG_TAIL_BYTES)))) {
    throw new Error('The JPEG file is incomplete (truncated download or copy?).');
  }
  let full: ImageBitmap;
  try {
    full = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Error(`The ${format} data is damaged or too large for this browser to decode.`);
  }
  const { width, height } = coveringSize(full.width, full.height, input);
  if (width === full.width && height === full.height) return full;
  try {
    return await createImageBitmap(full, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  } finally {
    full.close();
  }
}
