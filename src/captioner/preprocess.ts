import * as tf from '@tensorflow/tfjs-core';

/** Decoded pixels, as a canvas (ImageData) or a Node image decoder produces them. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * How a photo of any aspect ratio becomes the model's fixed input:
 * squash (stretch to fit), crop (centre crop to the target aspect), pad (letterbox with padValue).
 */
export type ResizeMode = 'squash' | 'crop' | 'pad';

/** The image contract of a model package (card.json `image`). Pixels reach the graph as value * scale + offset. */
export interface ImageSpec {
  height: number;
  width: number;
  resize: ResizeMode;
  scale: number;
  offset: number;
  /** Raw 0–255 value used for letterbox borders in `pad` mode. */
  padValue?: number;
}

/** The model input's size in pixels. */
export type ImageSize = Pick<ImageSpec, 'height' | 'width'>;

/**
 * The smallest size, in the source's aspect, that covers the model's input in both directions: what a
 * browser may shrink a camera frame to before handing it over. More pixels only cost copying and
 * preprocessing; a source smaller than that is left as it is.
 */
export function coveringSize(width: number, height: number, input: ImageSize): { width: number; height: number } {
  const scale = Math.min(1, Math.max(input.width / width, input.height / height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Longest side a photo keeps on its way to the model when it is no larger: up to it the captioner's own
 * resampling (imageToTensor, as in the CLI and in training) makes the model's input from all of its
 * pixels, so for such photos the page and `npm run caption` give the same captions.
 */
export const MAX_PHOTO_SIDE = 1024;

/**
 * The size a browser decodes a photo to before captioning it: as it is up to MAX_PHOTO_SIDE; a larger
 * one (a phone's 12 megapixels) only to what covers the model's input (coveringSize), and never longer
 * than MAX_PHOTO_SIDE (a panorama), since more pixels only cost decoding, copying and preprocessing.
 */
export function photoDecodeSize(width: number, height: number, input: ImageSize): { width: number; height: number } {
  const longSide = Math.max(width, height);
  if (longSide <= MAX_PHOTO_SIDE) return { width, height };
  const covering = Math.max(input.width / width, input.height / height);
  const scale = Math.min(covering, MAX_PHOTO_SIDE / longSide);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Normalised [y1, x1, y2, x2] region of the source that is resampled into the target. */
export type Box = [number, number, number, number];

export interface Placement {
  /** Region of the source image to use. */
  box: Box;
  /** Size the region is resized to, and where it sits inside the target (non-zero only for pad). */
  height: number;
  width: number;
  top: number;
  left: number;
}

/** Where the source goes in the target for each resize mode; pure arithmetic so it can be tested alone. */
export function placement(srcWidth: number, srcHeight: number, spec: ImageSpec): Placement {
  const full: Box = [0, 0, 1, 1];
  const { width, height } = spec;
  if (spec.resize === 'squash') return { box: full, height, width, top: 0, left: 0 };
  const srcAspect = srcWidth / srcHeight;
  const dstAspect = width / height;
  if (spec.resize === 'crop') {
    if (srcAspect > dstAspect) {
      const keep = dstAspect / srcAspect;
      return { box: [0, (1 - keep) / 2, 1, (1 + keep) / 2], height, width, top: 0, left: 0 };
    }
    const keep = srcAspect / dstAspect;
    return { box: [(1 - keep) / 2, 0, (1 + keep) / 2, 1], height, width, top: 0, left: 0 };
  }
  if (srcAspect > dstAspect) {
    const h = Math.max(1, Math.round(width / srcAspect));
    return { box: full, height: h, width, top: Math.floor((height - h) / 2), left: 0 };
  }
  const w = Math.max(1, Math.round(height * srcAspect));
  return { box: full, height, width: w, top: 0, left: Math.floor((width - w) / 2) };
}

/**
 * The pixels' RGB values as floats, in one pass: building them with tensor ops (int32 RGBA, slice,
 * cast) made four full-size copies, 80–130 ms for a 1024-pixel photo in the browser worker.
 */
function rgbValues({ width, height, data }: RgbaImage): Float32Array {
  const pixels = width * height;
  const rgb = new Float32Array(pixels * 3);
  for (let pixel = 0; pixel < pixels; pixel++) {
    rgb[pixel * 3] = data[pixel * 4];
    rgb[pixel * 3 + 1] = data[pixel * 4 + 1];
    rgb[pixel * 3 + 2] = data[pixel * 4 + 2];
  }
  return rgb;
}

/**
 * Turns RGBA pixels into the model's float32 [1, H, W, 3] input. The same code runs in the browser
 * worker, the Node CLI and the training-feature encoder, so train and serve see identical pixels.
 * Sources more than twice the target size are first box-filtered by an integer factor, because
 * bilinear resampling alone would alias.
 */
export function imageToTensor(image: RgbaImage, spec: ImageSpec, options: { flip?: boolean } = {}): tf.Tensor4D {
  return tf.tidy(() => {
    let rgb = tf.tensor4d(rgbValues(image), [1, image.height, image.width, 3], 'float32');
    const place = placement(image.width, image.height, spec);
    const factor = Math.floor(
      Math.min(
        (image.width * (place.box[3] - place.box[1])) / place.width,
        (image.height * (place.box[2] - place.box[0])) / place.height,
      ) / 2,
    );
    if (factor >= 2) rgb = tf.avgPool(rgb, factor, factor, 'valid');
    let resized: tf.Tensor4D = tf.image.cropAndResize(rgb, [place.box], [0], [place.height, place.width], 'bilinear');
    if (options.flip) resized = tf.reverse(resized, 2);
    if (place.height !== spec.height || place.width !== spec.width) {
      resized = tf.pad(
        resized,
        [
          [0, 0],
          [place.top, spec.height - place.height - place.top],
          [place.left, spec.width - place.width - place.left],
          [0, 0],
        ],
        spec.padValue ?? 0,
      );
    }
    return tf.add(tf.mul(resized, spec.scale), spec.offset) as tf.Tensor4D;
  });
}
