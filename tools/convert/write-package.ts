import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ready } from '@tensorflow/tfjs-core';
import { DEFAULT_NODES, parseModelCard, type ModelCard } from '../../src/captioner/card';
import { DEFAULT_WORDS } from '../../src/captioner/sentence-words';
import { Vocabulary } from '../../src/captioner/vocabulary';
import { readModelList, registerModel, writeModelList, type ModelList } from '../graph/model-list';
import { writeGraphModel, type Quantization } from '../graph/package-files';
import { convertGraph, type ConvertedGraph } from './convert';
import { ConversionError } from './errors';
import { decodeGraphDef } from './graphdef';

export interface ConvertOptions {
  /** Frozen im2txt inference GraphDef, e.g. show-and-tell.pb. */
  graph: string;
  /** The word_counts.txt the model was trained with. */
  vocab: string;
  /** Package folder, e.g. public/models/im2txt; its name is the model id. */
  out: string;
  name?: string;
  quantize?: Quantization;
  foldBatchNorm?: boolean;
  /** The model list to register in; defaults to models.json next to the package folder. */
  modelsJson?: string;
}

export interface ConversionResult extends ConvertedGraph {
  card: ModelCard;
  files: string[];
}

/**
 * Converts and writes the package, then registers it. Everything is read and checked before the
 * first write, and the package is assembled in a scratch folder, so a failure leaves no trace.
 */
export async function convertShowAndTell(options: ConvertOptions): Promise<ConversionResult> {
  const [graphBytes, vocabText] = await Promise.all([readInput(options.graph, '--graph'), readInput(options.vocab, '--vocab')]);
  const vocabulary = parseVocabulary(vocabText.toString('utf8'));
  await ready(); // constant folding runs tfjs ops
  const converted = convertGraph(decodeGraphDef(graphBytes), { vocabularySize: vocabulary.size, foldBatchNorm: options.foldBatchNorm });
  const id = path.basename(path.resolve(options.out));
  const card = parseModelCard({
    id,
    name: options.name ?? 'Show and Tell (im2txt)',
    description: `Converted from ${path.basename(options.graph)} by tools/convert.`,
    fixture: false,
    image: converted.image,
    stateSize: converted.stateSize,
    vocabularySize: vocabulary.size,
    nodes: DEFAULT_NODES,
    words: DEFAULT_WORDS,
    encoder: 'Inception v3',
    training: converted.crop ? { preprocessing: `squash to ${converted.image.height}×${converted.image.width}, central crop to ${converted.crop.height}×${converted.crop.width} in the graph` } : undefined,
  });
  const modelsJson = options.modelsJson ?? path.join(path.dirname(path.resolve(options.out)), 'models.json');
  const models = await readModelListOrFail(modelsJson);

  const scratch = `${path.resolve(options.out)}.converting-${process.pid}`;
  try {
    const files = await writeGraphModel(scratch, converted.model, { quantize: options.quantize });
    await writeFile(path.join(scratch, 'word_counts.txt'), vocabText);
    await writeFile(path.join(scratch, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
    await rm(options.out, { recursive: true, force: true });
    await rename(scratch, options.out);
    await writeModelList(modelsJson, registerModel(models, card));
    const written = [...files.map((file) => path.basename(file)), 'word_counts.txt', 'card.json'];
    return { ...converted, card, files: written.map((file) => path.join(options.out, file)) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function readInput(file: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new ConversionError(`cannot read ${flag} ${file}: ${(error as Error).message}`);
  }
}

function parseVocabulary(text: string): Vocabulary {
  try {
    return Vocabulary.parse(text);
  } catch (error) {
    throw new ConversionError((error as Error).message);
  }
}

async function readModelListOrFail(file: string): Promise<ModelList> {
  try {
    return await readModelList(file);
  } catch (error) {
    throw new ConversionError((error as Error).message);
  }
}
