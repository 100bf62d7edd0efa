/** Transparent pixels shown as a web page shows them: over white. Shared by the page's worker and the CLI. */
import type { RgbaImage } from './preprocess';

/**
 * Composites the image onto white in place and makes it opaque, so a transparent pixel is captioned
 * (and thumbnailed) as the white a page shows there, not as whatever colour its bytes hide (the CLI's
 * decoders) nor as black (a browser's canvas). Opaque pixels are left as they are.
 */
export function compositeOnWhite<Image extends RgbaImage>(image: Image): Image {
  const { data } = image;
  for (let alphaAt = 3; alphaAt < data.length; alphaAt += 4) {
    const alpha = data[alphaAt];
    if (alpha === 255) continue;
    for (let channel = alphaAt - 3; channel < alphaAt; channel++) data[channel] = 255 - Math.round(((255 - data[channel]) * alpha) / 255);
    data[alphaAt] = 255;
  }
  return image;
}
