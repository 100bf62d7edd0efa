/** Telling image formats apart by their bytes, shared by the page and the command line. */

export type ImageFormat = 'JPEG' | 'PNG' | 'GIF' | 'WebP' | 'BMP' | 'AVIF' | 'HEIC';

/** How many bytes from a file's start sniffFormat needs: enough for an ISO BMFF (AVIF, HEIC) ftyp box's first brands. */
export const FORMAT_HEAD_BYTES = 32;

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((byte, index) => bytes[offset + index] === byte);
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** HEIF's brands for HEVC images and sequences (iPhones write heic), and the generic ones, which AVIF files may carry too. */
const HEIC_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs'];
const GENERIC_HEIF_BRANDS = ['mif1', 'msf1'];

/** An ISO BMFF image's format from its ftyp box: the major brand, then for a generic one the compatible brands. */
function heifFormat(head: Uint8Array): 'AVIF' | 'HEIC' | null {
  const brand = (offset: number) => String.fromCharCode(...head.subarray(offset, offset + 4));
  const major = brand(8);
  if (major === 'avif' || major === 'avis') return 'AVIF';
  if (HEIC_BRANDS.includes(major)) return 'HEIC';
  if (!GENERIC_HEIF_BRANDS.includes(major)) return null;
  const boxEnd = Math.min(head.length, new DataView(head.buffer, head.byteOffset, head.length).getUint32(0));
  const compatible = [];
  for (let offset = 16; offset + 4 <= boxEnd; offset += 4) compatible.push(brand(offset));
  return compatible.some((name) => name === 'avif' || name === 'avis') ? 'AVIF' : 'HEIC';
}

/** Identifies the format from the content (its first FORMAT_HEAD_BYTES suffice), not the file name: a renamed text file is not a JPEG. */
export function sniffFormat(head: Uint8Array): ImageFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (startsWith(head, ascii('GIF8'))) return 'GIF';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'WebP';
  if (startsWith(head, ascii('BM'))) return 'BMP';
  if (head.length >= 12 && startsWith(head, ascii('ftyp'), 4)) return heifFormat(head);
  return null;
}

/** How far from the end a JPEG's end-of-image marker may sit (some cameras append trailers). */
export const JPEG_TAIL_BYTES = 64 * 1024;

/** Decoders render truncated JPEGs with a grey bottom instead of failing, so callers check for the end marker in the file's tail. */
export function hasJpegEnd(tail: Uint8Array): boolean {
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}
