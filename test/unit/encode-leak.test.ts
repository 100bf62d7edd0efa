import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { greyImage, useFixtureCaptioner } from './helpers/fixture';

// Detections that cannot be decoded: the encoder's tensors are already on the device when this throws.
vi.mock('../../src/captioner/objects', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/captioner/objects')>()),
  decodeDetections: () => {
    throw new Error('undecodable detections');
  },
}));

describe('captioner.encode() when decoding the detections throws', () => {
  const fixture = useFixtureCaptioner({ detector: true });

  it('throws and leaves no tensor behind', async () => {
    const photo = greyImage(32, 32, 230);
    // A first run may keep tensors tfjs caches for every later run; count from the second.
    await expect(fixture.captioner.encode(photo)).rejects.toThrow('undecodable detections');
    const before = tf.memory().numTensors;
    await expect(fixture.captioner.encode(photo)).rejects.toThrow('undecodable detections');
    expect(tf.memory().numTensors).toBe(before);
  });
});
