/**
 * Image files written byte by byte for the hostile-file corpus, in the formats no installed npm
 * package encodes: grey-scale and CMYK JPEGs, JPEGs with an EXIF orientation, GIFs (also animated).
 * Pixels are given per 8×8 block (JPEG) or per pixel (GIF) as a function, so tests can draw shapes
 * whose position proves how the image was rotated.
 */

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private filled = 0;

  constructor(private readonly order: 'msb-first' | 'lsb-first') {}

  write(value: number, length: number): void {
    for (let i = 0; i < length; i++) {
      const bit = this.order === 'msb-first' ? (value >> (length - 1 - i)) & 1 : (value >> i) & 1;
      this.current |= this.order === 'msb-first' ? bit << (7 - this.filled) : bit << this.filled;
      if (++this.filled === 8) this.flush();
    }
  }

  /** Pads the last byte (with 1 bits for JPEG, as the standard asks) and returns everything written. */
  finish(padWithOnes: boolean): number[] {
    if (this.filled > 0) {
      if (padWithOnes) this.current |= this.order === 'msb-first' ? 0xff >> this.filled : 0xff << this.filled;
      this.flush();
    }
    return this.bytes;
  }

  private flush(): void {
    this.bytes.push(this.current & 0xff);
    this.current = 0;
    this.filled = 0;
  }
}

const u16be = (value: number) => [value >> 8, value & 0xff];
const u16le = (value: number) => [value & 0xff, value >> 8];

function jpegSegment(marker: number, payload: number[]): number[] {
  return [0xff, marker, ...u16be(payload.length + 2), ...payload];
}

/** JPEG Annex K.3 luminance DC table: code lengths 1–16 and the categories they encode. */
const DC_CODE_LENGTHS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_CATEGORIES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** Canonical Huffman codes (JPEG Annex C) for the table above, by category. */
function dcCodes(): { code: number; length: number }[] {
  const codes: { code: number; length: number }[] = [];
  let code = 0;
  let index = 0;
  DC_CODE_LENGTHS.forEach((count, lengthIndex) => {
    for (let i = 0; i < count; i++) codes[DC_CATEGORIES[index++]] = { code: code++, length: lengthIndex + 1 };
    code <<= 1;
  });
  return codes;
}

export type JpegColour = 'grey' | 'ycbcr' | 'cmyk';

const COMPONENTS: Record<JpegColour, number> = { grey: 1, ycbcr: 3, cmyk: 4 };

/**
 * A baseline JPEG whose 8×8 blocks are flat: each block has only a DC coefficient, so no DCT is
 * needed. `blockValue(column, row)` gives each component's level (0–255) of that block; for YCbCr
 * pass [Y, 128, 128] for grey, and for CMYK the (Adobe-style inverted) ink values.
 */
export function flatBlockJpeg(width: number, height: number, colour: JpegColour, blockValue: (column: number, row: number) => number[]): Uint8Array {
  const components = COMPONENTS[colour];
  const ids = Array.from({ length: components }, (_, i) => i + 1);
  const codes = dcCodes();
  const bits = new BitWriter('msb-first');
  const previousDc = new Array<number>(components).fill(0);
  for (let row = 0; row < Math.ceil(height / 8); row++) {
    for (let column = 0; column < Math.ceil(width / 8); column++) {
      const levels = blockValue(column, row);
      for (let component = 0; component < components; component++) {
        // With a quantisation table of ones, DC = 8 × (level − 128).
        const dc = 8 * (Math.round(levels[component]) - 128);
        const difference = dc - previousDc[component];
        previousDc[component] = dc;
        const category = difference === 0 ? 0 : Math.floor(Math.log2(Math.abs(difference))) + 1;
        bits.write(codes[category].code, codes[category].length);
        if (category > 0) bits.write(difference > 0 ? difference : difference + (1 << category) - 1, category);
        bits.write(0, 1); // end of block, the only AC code in our one-symbol AC table
      }
    }
  }
  const entropyCoded = bits.finish(true).flatMap((byte) => (byte === 0xff ? [0xff, 0x00] : [byte]));
  // Adobe APP14 with transform 0: the components are CMYK as stored, not YCCK.
  const adobe = colour === 'cmyk' ? jpegSegment(0xee, [...'Adobe'].map((c) => c.charCodeAt(0)).concat([0, 100, 0, 0, 0, 0, 0])) : [];
  return Uint8Array.from([
    0xff,
    0xd8,
    ...adobe,
    ...jpegSegment(0xdb, [0x00, ...new Array(64).fill(1)]),
    ...jpegSegment(0xc0, [8, ...u16be(height), ...u16be(width), components, ...ids.flatMap((id) => [id, 0x11, 0])]),
    ...jpegSegment(0xc4, [0x00, ...DC_CODE_LENGTHS, ...DC_CATEGORIES]),
    ...jpegSegment(0xc4, [0x10, 1, ...new Array(15).fill(0), 0x00]),
    ...jpegSegment(0xda, [components, ...ids.flatMap((id) => [id, 0x00]), 0, 63, 0]),
    ...entropyCoded,
    0xff,
    0xd9,
  ]);
}

/** Inserts an EXIF APP1 segment holding only the Orientation tag (1–8) right after the JPEG's SOI. */
export function withExifOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  const tiff = [
    ...[0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8], // big-endian TIFF header, first IFD at offset 8
    ...u16be(1), // one entry
    ...[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, ...u16be(orientation), 0, 0], // Orientation, SHORT, count 1
    ...[0, 0, 0, 0], // no next IFD
  ];
  const app1 = jpegSegment(0xe1, [...'Exif'].map((c) => c.charCodeAt(0)).concat([0, 0], tiff));
  return Uint8Array.from([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
}

/**
 * A GIF with a 4-colour palette and one image per frame; several frames make an animated GIF.
 * LZW is written uncompressed: a clear code after every two pixels keeps the code size at 3 bits.
 * `transparentIndex`: the palette entry that every frame leaves transparent.
 */
export function gif(
  width: number,
  height: number,
  palette: [number, number, number][],
  frames: ((x: number, y: number) => number)[],
  transparentIndex?: number,
): Uint8Array {
  const CLEAR = 4;
  const END = 5;
  const colours = [...palette, ...new Array(4 - palette.length).fill([0, 0, 0])].slice(0, 4).flat();
  const bytes: number[] = [...'GIF89a'].map((c) => c.charCodeAt(0));
  bytes.push(...u16le(width), ...u16le(height), 0xf1, 0, 0, ...colours);
  if (frames.length > 1) {
    // NETSCAPE2.0 application extension: loop forever.
    bytes.push(0x21, 0xff, 11, ...[...'NETSCAPE2.0'].map((c) => c.charCodeAt(0)), 3, 1, 0, 0, 0);
  }
  for (const pixelAt of frames) {
    // Graphic control: 0.5 s per frame, and the transparent colour if any.
    bytes.push(0x21, 0xf9, 4, transparentIndex === undefined ? 0 : 1, ...u16le(50), transparentIndex ?? 0, 0);
    bytes.push(0x2c, 0, 0, 0, 0, ...u16le(width), ...u16le(height), 0, 2);
    const bits = new BitWriter('lsb-first');
    for (let i = 0; i < width * height; i++) {
      if (i % 2 === 0) bits.write(CLEAR, 3);
      bits.write(pixelAt(i % width, Math.floor(i / width)), 3);
    }
    bits.write(END, 3);
    const data = bits.finish(false);
    for (let offset = 0; offset < data.length; offset += 255) {
      const block = data.slice(offset, offset + 255);
      bytes.push(block.length, ...block);
    }
    bytes.push(0);
  }
  bytes.push(0x3b);
  return Uint8Array.from(bytes);
}
