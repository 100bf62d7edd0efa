import type { RgbaImage } from '../captioner';
import { compositeOnWhite } from '../captioner/on-white';
import type { Picture } from './protocol';

export function pictureSize(picture: Picture): { width: number; height: number } {
  return picture instanceof ImageBitmap ? picture : { width: picture.displayWidth, height: picture.displayHeight };
}

function drawnPixels(picture: Picture): RgbaImage {
  const { width, height } = pictureSize(picture);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser cannot read image pixels in a worker (no OffscreenCanvas 2D)');
  context.drawImage(picture, 0, 0, width, height);
  // The canvas starts transparent black: a photo's transparent pixels are shown over white instead, as in the CLI.
  return compositeOnWhite(context.getImageData(0, 0, width, height));
}

/**
 * A camera frame's pixels copied out as RGBA: a frame in memory (as MediaStreamTrackProcessor gives
 * them) converts in a few ms, where drawing it first uploads it to the GPU and reads it back (70–80 ms
 * per frame measured here). Frames whose size is scaled for display, or a browser that cannot convert
 * to RGBA, take the drawing path.
 */
async function copiedFramePixels(frame: VideoFrame): Promise<RgbaImage | null> {
  const rect = frame.visibleRect;
  if (!rect || rect.width !== frame.displayWidth || rect.height !== frame.displayHeight) return null;
  const { width, height } = rect;
  const data = new Uint8Array(width * height * 4);
  try {
    await frame.copyTo(data, { format: 'RGBA', layout: [{ offset: 0, stride: width * 4 }] });
    return { width, height, data };
  } catch {
    return null;
  }
}

/** The picture's RGBA pixels, as the captioner takes them. */
export async function picturePixels(picture: Picture): Promise<RgbaImage> {
  const isFrame = typeof VideoFrame !== 'undefined' && picture instanceof VideoFrame;
  return (isFrame && (await copiedFramePixels(picture))) || drawnPixels(picture);
}
