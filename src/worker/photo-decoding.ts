import { DamagedImageError } from '../captioner/errors';
import { photoDecodeSize, type ImageSize } from '../captioner/preprocess';
import { isPhotoFile, type PhotoFile } from './protocol';
import { THUMBNAIL_SIDE } from './thumbnail';

/** The size a photo is decoded to: what the model needs (photoDecodeSize), and no less than its thumbnail needs. */
export function decodedPhotoSize(width: number, height: number, modelInput: ImageSize): { width: number; height: number } {
  return photoDecodeSize(width, height, { width: Math.max(modelInput.width, THUMBNAIL_SIDE), height: Math.max(modelInput.height, THUMBNAIL_SIDE) });
}

/**
 * The photo as the model and its thumbnail need it, in the worker so that the page's thread does none
 * of it: a file decoded with its EXIF orientation applied, and anything larger than the model and the
 * thumbnail need (decodedPhotoSize for the model's `input`) shrunk. Closes what it was given when it returns another bitmap.
 * A file the browser cannot decode throws a DamagedImageError, whose message is meant for the photo's card.
 */
export async function photoForModel(photo: PhotoFile | ImageBitmap, input: ImageSize): Promise<ImageBitmap> {
  let decoded: ImageBitmap;
  if (isPhotoFile(photo)) {
    try {
      // Decoded whole, then shrunk: asking createImageBitmap for the small size at once decoded no faster in Chromium.
      decoded = await createImageBitmap(photo.file, { imageOrientation: 'from-image' });
    } catch {
      throw new DamagedImageError(`The ${photo.format} data is damaged or too large for this browser to decode.`);
    }
  } else {
    decoded = photo;
  }
  const size = decodedPhotoSize(decoded.width, decoded.height, input);
  if (size.width === decoded.width && size.height === decoded.height) return decoded;
  try {
    return await createImageBitmap(decoded, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'high' });
  } finally {
    decoded.close();
  }
}
