import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { coveringSize, imageToTensor, MAX_PHOTO_SIDE, photoDecodeSize, placement, type ImageSpec } from '../../src/captioner/preprocess';
import { initNodeBackend } from '../../src/node/runtime';

const spec = (resize: ImageSpec['resize']): ImageSpec => ({ height: 50, width: 50, resize, scale: 1, offset: 0, padValue: 10 });

describe('placement', () => {
  it('squash uses the whole image at the full target size', () => {
    expect(placement(200, 100, spec('squash'))).toEqual({ box: [0, 0, 1, 1], height: 50, width: 50, top: 0, left: 0 });
  });

  it('crop keeps the centre at the target aspect', () => {
    expect(placement(200, 100, spec('crop')).box).toEqual([0, 0.25, 1, 0.75]);
    expect(placement(100, 200, spec('crop')).box).toEqual([0.25, 0, 0.75, 1]);
    expect(placement(100, 100, spec('crop')).box).toEqual([0, 0, 1, 1]);
  });

  it('pad letterboxes the whole image, centred', () => {
    expect(placement(200, 100, spec('pad'))).toEqual({ box: [0, 0, 1, 1], height: 25, width: 50, top: 12, left: 0 });
    expect(placement(100, 200, spec('pad'))).toEqual({ box: [0, 0, 1, 1], height: 50, width: 25, top: 0, left: 12 });
  });
});

describe('imageToTensor', () => {
  beforeAll(() => initNodeBackend('cpu'));

  it('fills letterbox borders with padValue and applies scale and offset', () => {
    const image = { width: 200, height: 100, data: new Uint8Array(200 * 100 * 4).fill(200) };
    const tensor = imageToTensor(image, { ...spec('pad'), scale: 0.5, offset: -1 });
    expect(tensor.shape).toEqual([1, 50, 50, 3]);
    const pixels = tensor.arraySync()[0];
    expect(pixels[0][0]).toEqual([4, 4, 4]); // border: 10 * 0.5 - 1
    expect(pixels[25][25][0]).toBeCloseTo(99); // image: 200 * 0.5 - 1
    expect(pixels[49][0]).toEqual([4, 4, 4]);
    tf.dispose(tensor);
  });

  it('keeps each pixel\'s red, green and blue and drops alpha', () => {
    const image = { width: 2, height: 2, data: Uint8Array.of(1, 2, 3, 255, 10, 20, 30, 0, 40, 50, 60, 128, 70, 80, 90, 7) };
    const tensor = imageToTensor(image, { height: 2, width: 2, resize: 'squash', scale: 1, offset: 0 });
    expect(tensor.arraySync()[0]).toEqual([
      [
        [1, 2, 3],
        [10, 20, 30],
      ],
      [
        [40, 50, 60],
        [70, 80, 90],
      ],
    ]);
    tf.dispose(tensor);
  });
});

describe('coveringSize', () => {
  const input = { height: 512, width: 512 };

  it('shrinks a picture until it just covers the input, keeping its aspect', () => {
    expect(coveringSize(4032, 3024, input)).toEqual({ width: 683, height: 512 });
    expect(coveringSize(3024, 4032, input)).toEqual({ width: 512, height: 683 });
    expect(coveringSize(640, 480, { height: 384, width: 384 })).toEqual({ width: 512, height: 384 });
  });

  it('never enlarges', () => {
    expect(coveringSize(500, 375, input)).toEqual({ width: 500, height: 375 });
    expect(coveringSize(1024, 510, input)).toEqual({ width: 1024, height: 510 });
  });
});

describe('photoDecodeSize', () => {
  const input = { height: 512, width: 512 };

  it('keeps every pixel of a photo up to MAX_PHOTO_SIDE, as the CLI reads it', () => {
    expect(photoDecodeSize(500, 375, input)).toEqual({ width: 500, height: 375 });
    expect(photoDecodeSize(640, 480, input)).toEqual({ width: 640, height: 480 });
    expect(photoDecodeSize(MAX_PHOTO_SIDE, 717, input)).toEqual({ width: MAX_PHOTO_SIDE, height: 717 });
  });

  it('shrinks a larger photo only to what covers the model input, either way up', () => {
    expect(photoDecodeSize(4032, 3024, input)).toEqual({ width: 683, height: 512 });
    expect(photoDecodeSize(3024, 4032, input)).toEqual({ width: 512, height: 683 });
    expect(photoDecodeSize(2048, 1536, { height: 352, width: 352 })).toEqual({ width: 469, height: 352 });
  });

  it('never makes a long side longer than MAX_PHOTO_SIDE (a panorama)', () => {
    expect(photoDecodeSize(8000, 1000, input)).toEqual({ width: MAX_PHOTO_SIDE, height: 128 });
    expect(photoDecodeSize(1100, 300, input)).toEqual({ width: MAX_PHOTO_SIDE, height: 279 });
  });
});
