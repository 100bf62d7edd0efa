/**
 * The inverse of export.ts for the decoder: reads an app package's decoder weights (dequantised, as
 * the app runs them) and writes them as a run directory's weights.json + weights.bin, the format the
 * trainers export, so that training can continue from a shipped model: `train.py --init-weights
 * RUN_DIR` for im2txt's decoder, `attend.py --init-weights RUN_DIR` for the attending one.
 *
 *   tsx training/unpack.ts --model public/models/show-and-tell-attend --out .cache/runs/NAME
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { EVIDENCE_BIASES, EVIDENCE_FLOOR, EVIDENCE_WEIGHTS, WORD_CLASSES, type AttentionKind } from '../tools/graph/attend-decoder';
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

/** attend.py's weights that export.ts writes into the graph under the same names. */
const ATTEND_NAMES = [
  'image_embedding/weights', 'image_embedding/biases', 'image_embedding/mean', 'image_embedding/inv_std',
  'regions/features/weights', 'regions/features/biases', 'regions/features/mean', 'regions/features/inv_std',
  'regions/geometry/weights', 'regions/geometry/biases', 'regions/class_embedding',
  'attention/region_weights', 'attention/region_biases', 'attention/state_weights', 'attention/score_weights',
  'seq_embedding/map', 'logits/project_weights', 'logits/project_biases', 'logits/biases',
];
/** The LSTMs of tools/graph/attend-decoder.ts: kernel rows in parts (attend/lstm_L/kernel_N, N counting on). */
const ATTEND_LSTMS: Record<AttentionKind, string[]> = { topdown: ['attention_lstm', 'language_lstm'], soft: ['lstm'] };

/** Collects named tensors as weights.json entries and weights.bin bytes. */
function weightsWriter() {
  const tensors: Record<string, { shape: number[]; offset: number }> = {};
  const blobs: Buffer[] = [];
  let offset = 0;
  return {
    tensors,
    add(name: string, shape: number[], values: Float32Array) {
      tensors[name] = { shape, offset };
      blobs.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
      offset += values.byteLength;
    },
    async write(outDir: string, header: Record<string, unknown>) {
      await mkdir(outDir, { recursive: true });
      await writeFile(path.join(outDir, 'weights.bin'), Buffer.concat(blobs));
      await writeFile(path.join(outDir, 'weights.json'), `${JSON.stringify({ ...header, tensors }, null, 1)}\n`);
    },
  };
}

/** A weight of the package's graph as float32 values (dequantised, as the app runs it). */
function packageWeight(model: GraphModel, modelDir: string, name: string): { shape: number[]; data: Float32Array } {
  const weight = model.weights[name]?.[0];
  if (!weight) throw new Error(`${modelDir} has no weight ${name}: not a package written by training/export.ts`);
  return { shape: weight.shape, data: weight.dataSync() as Float32Array };
}

export async function unpackDecoder(modelDir: string, outDir: string): Promise<void> {
  const model = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));
  if (model.weights['attend/forget_bias']) return unpackAttendDecoder(model, modelDir, outDir);
  const [forgetBias] = model.weights['lstm/forget_bias'][0].dataSync();
  const writer = weightsWriter();
  for (const [graphName, trainedName] of Object.entries(TRAINED_NAMES)) {
    const { shape, data } = packageWeight(model, modelDir, graphName);
    writer.add(trainedName, shape, data);
  }
  const units = writer.tensors['lstm/bias'].shape[0] / 4;
  model.dispose();
  await writer.write(outDir, { units, forgetBias });
}

async function unpackAttendDecoder(model: GraphModel, modelDir: string, outDir: string): Promise<void> {
  const values = (name: string) => packageWeight(model, modelDir, name);
  const writer = weightsWriter();
  const weighsEvidence = model.weights[EVIDENCE_FLOOR] !== undefined;
  for (const name of [...ATTEND_NAMES, ...(weighsEvidence ? [EVIDENCE_WEIGHTS, EVIDENCE_BIASES] : [])]) {
    const { shape, data } = values(name);
    writer.add(name, shape, data);
  }
  // The graph leaves out the attention score's bias: adding one number to every region's score does not change the softmax.
  writer.add('attention/score_biases', [1], new Float32Array(1));
  const kind: AttentionKind = model.weights['attend/lstm_1/bias'] ? 'topdown' : 'soft';
  const partNumber = (name: string) => Number(name.slice(name.lastIndexOf('_') + 1));
  ATTEND_LSTMS[kind].forEach((trainedName, l) => {
    const parts = Object.keys(model.weights)
      .filter((name) => name.startsWith(`attend/lstm_${l}/kernel_`))
      .sort((a, b) => partNumber(a) - partNumber(b))
      .map(values);
    const bias = values(`attend/lstm_${l}/bias`);
    const columns = bias.data.length; // 4 gates × units
    const rows = parts.reduce((sum, part) => sum + part.data.length / columns, 0);
    const kernel = new Float32Array(rows * columns);
    let at = 0;
    for (const part of parts) {
      kernel.set(part.data, at);
      at += part.data.length;
    }
    writer.add(`${trainedName}/kernel`, [rows, columns], kernel);
    writer.add(`${trainedName}/bias`, bias.shape, bias.data);
  });
  const [forgetBias] = values('attend/forget_bias').data;
  const units = writer.tensors[`${ATTEND_LSTMS[kind][0]}/bias`].shape[0] / 4;
  const header: Record<string, unknown> = { attention: kind, units, forgetBias };
  if (weighsEvidence) {
    const wordClasses = values(WORD_CLASSES);
    writer.add(WORD_CLASSES, wordClasses.shape, Float32Array.from(wordClasses.data));
    [header.evidenceFloor] = values(EVIDENCE_FLOOR).data;
  }
  model.dispose();
  await writer.write(outDir, header);
}

if (isEntryPoint(import.meta.filename)) {
  const { values } = parseArgs({ options: { model: { type: 'string' }, out: { type: 'string' } } });
  if (!values.model || !values.out) throw new Error('usage: unpack.ts --model public/models/ID --out RUN_DIR');
  await initNodeBackend();
  await unpackDecoder(values.model, values.out);
  console.error(`wrote ${values.out}/weights.json + weights.bin`);
}
