import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCaptioner, type Captioner } from '../../src/captioner';
import { folderPackageFiles } from '../../src/node/package-files';
import { initNodeBackend } from '../../src/node/runtime';
import { generateFixture, greyImage } from './helpers/fixture';

// Detections that cannot be decoded: the encoder's tensors are already on the device when this throws.
vi.mock('../../src/captioner/objects', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/captioner/objects')>()),
  decodeDetections: () => {
    throw new Error('undecodable detections');
  },
}));

describe('captioner.encode() when decoding the detections throws', () => {
  let dir: string;
  let captioner: Captioner;
  beforeAll(async () => {
    await initNodeBackend('cpu');
    dir = (await generateFixture({ detector: true })).dir;
    captioner = await loadCaptioner(folderPackageFiles(dir));
  });
  afterAll(async () => {
    captioner?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('throws and leaves no tensor behind', async () => {
    const photo = greyImage(32, 32, 230);
    // A first run may keep tensors tfjs caches for every later run; count from the second.
    await expect(captioner.encode(photo)).rejects.toThrow('undecodable detections');
    const before = tf.memory().numTensors;
    await expect(captioner.encode(photo)).rejects.toThrow('undecodable detections');
    expect(tf.memory().numTensors).toBe(before);
  });
});
