/** Telling image formats apart by their bytes, shared by the page and the command line. */

export type ImageFormat = 'JPEG' | 'PNG' | 'GIF' | 'WebP' | 'BMP' | 'AVIF';

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((byte, index) => bytes[offset + index] === byte);
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** Identifies the format from the content (its first 16 bytes suffice), not the file name: a renamed text file is not a JPEG. */
export function sniffFormat(head: Uint8Array): ImageFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (startsWith(head, ascii('GIF8'))) return 'GIF';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'WebP';
  if (startsWith(head, ascii('BM'))) return 'BMP';
  if (startsWith(head, ascii('ftyp'), 4) && (startsWith(head, ascii('avif'), 8) || startsWith(head, ascii('avis'), 8))) return 'AVIF';
  return null;
}

/** How far from the end a JPEG's end-of-image marker may sit (some cameras append trailers). */
export const JPEG_TAIL_BYTES = 64 * 1024;

/** Decoders render truncated JPEGs with a grey bottom instead of failing, so callers check for the end marker in the file's tail. */
export function hasJpegEnd(tail: Uint8Array): boolean {
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}
