/**
 * The inverse of export.ts for the decoder: reads an app package's decoder weights (dequantised, as
 * the app runs them) and writes them as a run directory's weights.json + weights.bin, the format
 * train.py exports, so that `train.py --init-weights RUN_DIR` can continue training a shipped model.
 *
 *   tsx training/unpack.ts --model public/models/show-and-tell-centernet --out .cache/runs/NAME
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { fileModelHandler, initNodeBackend } from '../src/node/runtime';
import { isEntryPoint } from '../src/node/entry-point';

/** Graph constant written by export.ts (via the im2txt decoder) → tensor name in train.py's weights.json. */
const TRAINED_NAMES: Record<string, string> = {
  'image_embedding/weights': 'image_embedding/weights',
  'image_embedding/biases': 'image_embedding/biases',
  'seq_embedding/map': 'seq_embedding/map',
  'lstm/basic_lstm_cell/kernel': 'lstm/kernel',
  'lstm/basic_lstm_cell/bias': 'lstm/bias',
  'logits/weights': 'logits/weights',
  'logits/biases': 'logits/biases',
};

export async function unpackDecoder(modelDir: string, outDir: string): Promise<void> {
  const model = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));
  const [forgetBias] = model.weights['lstm/forget_bias'][0].dataSync();
  const tensors: Record<string, { shape: number[]; offset: number }> = {};
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const [graphName, trainedName] of Object.entries(TRAINED_NAMES)) {
    const weight = model.weights[graphName]?.[0];
    if (!weight) throw new Error(`${modelDir} has no weight ${graphName}: not a package written by training/export.ts`);
    const values = weight.dataSync() as Float32Array;
    tensors[trainedName] = { shape: weight.shape, offset };
    blobs.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    offset += values.byteLength;
  }
  const units = tensors['lstm/bias'].shape[0] / 4;
  model.dispose();
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'weights.bin'), Buffer.concat(blobs));
  await writeFile(path.join(outDir, 'weights.json'), `${JSON.stringify({ units, forgetBias, tensors }, null, 1)}\n`);
}

if (isEntryPoint(import.meta.filename)) {
  const { values } = parseArgs({ options: { model: { type: 'string' }, out: { type: 'string' } } });
  if (!values.model || !values.out) throw new Error('usage: unpack.ts --model public/models/ID --out RUN_DIR');
  await initNodeBackend();
  await unpackDecoder(values.model, values.out);
  console.error(`wrote ${values.out}/weights.json + weights.bin`);
}
