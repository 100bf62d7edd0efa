/**
 * Reading a JPEG's metadata segments (before the image data) and the IPTC block inside its Photoshop
 * segment: shared by the page's description reader (photo-description.ts) and writer (jpeg-description.ts).
 */

export const PHOTOSHOP_HEADER = 'Photoshop 3.0\0';
export const APP13 = 0xed;
const START_OF_SCAN = 0xda;
/** The Photoshop image resource that holds IPTC. */
export const IPTC_RESOURCE = 0x0404;
/** IPTC 1:90 CodedCharacterSet's value for UTF-8 (ESC % G). */
export const IPTC_UTF8 = [0x1b, 0x25, 0x47];

export const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

export interface Segment {
  marker: number;
  payload: Uint8Array;
}

export const startsWith = (payload: Uint8Array, header: string) => payload.length >= header.length && latin1(payload.subarray(0, header.length)) === header;

/** The segments before the image data, and where the image data (start of scan onwards) begins. */
export function splitJpeg(bytes: Uint8Array): { segments: Segment[]; scanStart: number } {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('This is not a JPEG file.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const segments: Segment[] = [];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new Error('The JPEG file is damaged (no segment where one should start).');
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === START_OF_SCAN) return { segments, scanStart: at };
    const length = view.getUint16(at + 2);
    segments.push({ marker, payload: bytes.subarray(at + 4, at + 2 + length) });
    at += 2 + length;
  }
  throw new Error('The JPEG file is damaged (no image data).');
}

/** One Photoshop image resource ("8BIM" block) in a Photoshop segment's payload. */
export interface PhotoshopResource {
  id: number;
  /** Where the block starts, where its data starts, and where the next block starts (its data padded to an even length). */
  at: number;
  dataAt: number;
  end: number;
  data: Uint8Array;
}

/** The image resources of a Photoshop segment's payload, in order (the header skipped). */
export function* photoshopResources(payload: Uint8Array): Generator<PhotoshopResource> {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let at = PHOTOSHOP_HEADER.length;
  while (at + 12 <= payload.length && latin1(payload.subarray(at, at + 4)) === '8BIM') {
    const nameLength = payload[at + 6];
    const dataAt = at + 6 + nameLength + 1 + ((nameLength + 1) % 2) + 4;
    const size = view.getUint32(dataAt - 4);
    const end = dataAt + size + (size % 2);
    yield { id: view.getUint16(at + 4), at, dataAt, end, data: payload.subarray(dataAt, dataAt + size) };
    at = end;
  }
}

export interface Dataset {
  record: number;
  dataset: number;
  data: Uint8Array;
}

/** An IPTC block's datasets; null for a block with an extended length, which is left alone. */
export function readDatasets(iptc: Uint8Array): Dataset[] | null {
  const datasets: Dataset[] = [];
  for (let at = 0; at + 5 <= iptc.length && iptc[at] === 0x1c; ) {
    const length = (iptc[at + 3] << 8) | iptc[at + 4];
    if (length & 0x8000) return null;
    datasets.push({ record: iptc[at + 1], dataset: iptc[at + 2], data: iptc.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return datasets;
}

export const isCaptionDataset = (set: Dataset) => set.record === 2 && set.dataset === 120;
export const isCharsetDataset = (set: Dataset) => set.record === 1 && set.dataset === 90;

/** Windows-1252's characters for 0x80–0x9F, where it differs from Latin-1 (undefined there: kept as Latin-1's control characters). */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** Windows-1252 text. Node 20's TextDecoder reads the label as Latin-1 (browsers do not), so it is done here. */
function windows1252(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => (byte >= 0x80 && byte < 0xa0 ? WINDOWS_1252_HIGH[byte - 0x80] : String.fromCharCode(byte))).join('');
}

/**
 * A JPEG's IPTC Caption-Abstract (2:120) read as ExifTool reads it: UTF-8 where CodedCharacterSet (1:90)
 * declares it, else Latin (Windows-1252; ExifTool's "-charset iptc" default "when
 * IPTC:CodedCharacterSet is not defined"). undefined when the JPEG has none.
 */
export function jpegIptcCaption(bytes: Uint8Array): string | undefined {
  for (const { marker, payload } of splitJpeg(bytes).segments) {
    if (marker !== APP13 || !startsWith(payload, PHOTOSHOP_HEADER)) continue;
    for (const resource of photoshopResources(payload)) {
      const datasets = resource.id === IPTC_RESOURCE ? readDatasets(resource.data) : null;
      const caption = datasets?.find(isCaptionDataset);
      if (!datasets || !caption) continue;
      const utf8 = datasets.some((set) => isCharsetDataset(set) && set.data.join() === IPTC_UTF8.join());
      return utf8 ? new TextDecoder().decode(caption.data) : windows1252(caption.data);
    }
  }
  return undefined;
}
