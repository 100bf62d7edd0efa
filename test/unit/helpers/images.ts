/** Image files written byte by byte, so tests exercise the decoders on formats no npm encoder here writes; and textured JPEGs. */
import jpeg from 'jpeg-js';

/** A 24-bit, bottom-up BMP (BITMAPINFOHEADER) whose pixel (x, y), from the top left, has the colour `rgb(x, y)`. */
export function bmp24(width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): Uint8Array {
  const HEADER = 54;
  const stride = Math.ceil((width * 3) / 4) * 4;
  const file = Buffer.alloc(HEADER + stride * height);
  file.write('BM', 0, 'ascii');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(HEADER, 10);
  file.writeUInt32LE(40, 14); // info header size
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22); // positive: rows stored bottom first
  file.writeUInt16LE(1, 26); // planes
  file.writeUInt16LE(24, 28); // bits per pixel
  file.writeUInt32LE(stride * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      file.set([b, g, r], HEADER + (height - 1 - y) * stride + x * 3);
    }
  }
  return new Uint8Array(file.buffer, file.byteOffset, file.length);
}

/** A JPEG with some texture (so its entropy-coded data is not trivial); bright or dark for the fixture model. */
export function texturedJpeg(size: number, bright: boolean, seed: number): Buffer {
  const data = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) data.set([(bright ? 200 : 10) + ((i * seed) % 40), bright ? 230 : 20, (bright ? 210 : 15) + (i % 7), 255], i * 4);
  return jpeg.encode({ width: size, height: size, data }, 90).data;
}

