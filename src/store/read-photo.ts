/** Longest side handed to the worker: the model sees ~300 px, so more only costs memory and transfer. */
export const MAX_PHOTO_SIDE = 1024;

type ImageFormat = 'JPEG' | 'PNG' | 'GIF' | 'WebP' | 'BMP' | 'AVIF';

const SUPPORTED = 'JPEG, PNG, GIF, WebP, BMP or AVIF';

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((byte, index) => bytes[offset + index] === byte);
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** Identifies the format from the content, not the file name (a renamed text file is not a JPEG). */
function sniffFormat(head: Uint8Array): ImageFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (startsWith(head, ascii('GIF8'))) return 'GIF';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'WebP';
  if (startsWith(head, ascii('BM'))) return 'BMP';
  if (startsWith(head, ascii('ftyp'), 4) && (startsWith(head, ascii('avif'), 8) || startsWith(head, ascii('avis'), 8))) return 'AVIF';
  return null;
}

/** How far from the end a JPEG's end-of-image marker may sit (some cameras append trailers). */
const JPEG_TAIL_BYTES = 64 * 1024;

/** Browsers render truncated JPEGs with a grey bottom instead of failing, so check for the end marker. */
function hasJpegEnd(tail: Uint8Array): boolean {
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}

async function readBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * Decodes a photo off the main thread (createImageBitmap), applying its EXIF orientation and
 * shrinking it so the long side is at most MAX_PHOTO_SIDE. Throws errors meant for the photo's card.
 */
export async function readPhoto(file: File): Promise<ImageBitmap> {
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
