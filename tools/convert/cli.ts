import { parseArgs } from 'node:util';
import { enableProdMode } from '@tensorflow/tfjs-core';
import type { Quantization } from '../graph/package-files';
import { convertShowAndTell } from './write-package';

const USAGE = `Converts the im2txt tutorial's frozen graph into a model package for the app and the CLI.

usage: npm run convert -- --graph show-and-tell.pb --vocab word_counts.txt --out public/models/im2txt
         [--name "Show and Tell"] [--quantize float16|uint8] [--keep-batch-norm] [--models-json FILE]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      graph: { type: 'string' },
      vocab: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      quantize: { type: 'string' },
      'keep-batch-norm': { type: 'boolean', default: false },
      'models-json': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.graph || !values.vocab || !values.out) throw new Error(`--graph, --vocab and --out are required\n\n${USAGE}`);
  if (values.quantize !== undefined && values.quantize !== 'float16' && values.quantize !== 'uint8') {
    throw new Error(`--quantize must be float16 or uint8 (got ${values.quantize})`);
  }
  // Constant folding runs a few tfjs ops: tfjs's advice to install its native Node backend is noise here.
  enableProdMode();
  const started = performance.now();
  const result = await convertShowAndTell({
    graph: values.graph,
    vocab: values.vocab,
    out: values.out,
    name: values.name,
    quantize: values.quantize as Quantization | undefined,
    foldBatchNorm: !values['keep-batch-norm'],
    modelsJson: values['models-json'],
  });
  const { stats, image, crop } = result;
  console.log(`converted ${values.graph} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`  nodes: ${stats.nodesBefore} → ${stats.nodesAfter} (${stats.foldedConstants} computed from constants, ${stats.foldedBatchNorms} batch norms folded)`);
  console.log(`  weights: ${stats.weightValues.toLocaleString('en')} values${values.quantize ? `, stored as ${values.quantize}` : ''}`);
  console.log(`  image input: ${image.height}×${image.width}, value = pixel × ${image.scale} + ${image.offset}` + (crop ? `, central ${crop.height}×${crop.width} crop in the graph` : ''));
  console.log(`  state size ${result.stateSize}, softmax ${result.card.vocabularySize} columns (word_counts.txt lines + 1)`);
  if (stats.droppedSoftmaxColumns > 0) {
    console.log(`  dropped ${stats.droppedSoftmaxColumns} logits columns past the vocabulary (im2txt's vocab_size exceeds word_counts.txt)`);
  }
  console.log(`wrote ${result.files.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(`convert: ${(error as Error).message}`);
  process.exitCode = 1;
});
