import { compositeOnWhite } from '../captioner/on-white';
import { pictureSize } from './picture-pixels';
import type { Picture } from './protocol';

/** Longest side of a card's thumbnail: 300 of them stay well under a megabyte or two in all. */
export const THUMBNAIL_SIDE = 160;

/** A small JPEG of the (already decoded) photo, kept for the card and in storage instead of the photo. */
export async function makeThumbnail(picture: Picture): Promise<Blob> {
  const full = pictureSize(picture);
  const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(full.width, full.height));
  const width = Math.max(1, Math.round(full.width * scale));
  const height = Math.max(1, Math.round(full.height * scale));
  // Made in the worker: on the page's thread this resize took 100–300 ms per photo (the e2e long-task test).
  const small = await createImageBitmap(picture, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  try {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D canvas for the thumbnail');
    context.drawImage(small, 0, 0);
    // A JPEG has no transparency: transparent pixels over white, as the captioner sees them (not black).
    context.putImageData(compositeOnWhite(context.getImageData(0, 0, width, height)), 0, 0);
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
  } finally {
    small.close();
  }
}
